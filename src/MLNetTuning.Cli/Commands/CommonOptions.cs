using System.CommandLine;

namespace MLNetTuning.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public const string DefaultOutput = "mlnet-tune-out";

    public static Option<string?> Storage() => new("--storage")
    {
        Description = "Where studies are kept: a SQLite file (PATH or sqlite:PATH; default <output>/studies.db), 'postgres' (connection from --connection or MLNETTUNING_POSTGRES) or postgres:CONNECTION-STRING.",
    };

    public static Option<string?> Connection() => new("--connection")
    {
        Description = "PostgreSQL connection string (default: the MLNETTUNING_POSTGRES environment variable). Never printed with its password.",
    };

    public static Option<string> Study(bool required) => new("--study")
    {
        Description = "The study's name (letters, digits, '-', '_', '.').",
        Required = required,
    };

    public static string DefaultStorage(string output) => Path.Combine(output, "studies.db");

    public static Option<double?> Seconds(string name, string description) => new(name) { Description = description };

    /// <summary>Checks a count option is at least <paramref name="min"/>.</summary>
    public static int? AtLeast(int? value, int min, string option) =>
        value is null || value >= min ? value : throw new CliException($"{option} must be at least {min}, not {value}.");

    /// <summary>The longest time option: a timer cannot wait longer (about 24.8 days).</summary>
    public const double MaxSeconds = 2_147_483;

    /// <summary>A positive number of seconds as a time span.</summary>
    public static TimeSpan? PositiveSeconds(double? seconds, string option) => seconds switch
    {
        null => null,
        > MaxSeconds => throw new CliException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option} must be at most {MaxSeconds} seconds (about 24 days), not {seconds}.")),
        > 0 => TimeSpan.FromSeconds(seconds.Value),
        _ => throw new CliException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option} must be a positive number of seconds, not {seconds}.")),
    };
}
