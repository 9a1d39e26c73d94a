using System.Text.RegularExpressions;
using Npgsql;

namespace MLNetTuning.Storage;

/// <summary>Where PostgreSQL connection strings come from, and how they are shown: never with their password.</summary>
public static partial class PostgresConnectionStrings
{
    /// <summary>The environment variable read when no connection string is given: MLNETTUNING_POSTGRES.</summary>
    public const string EnvironmentVariable = "MLNETTUNING_POSTGRES";

    /// <summary>The given connection string, or else the environment variable's.</summary>
    /// <exception cref="ArgumentException">Neither is set.</exception>
    public static string Resolve(string? connectionString)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        return Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : throw new ArgumentException($"No PostgreSQL connection string: pass one (e.g. \"Host=db;Database=tuning;Username=me;Password=...\") or set {EnvironmentVariable}.", nameof(connectionString));
    }

    /// <summary>The connection string with its password replaced by ***, safe to print and log.</summary>
    public static string Mask(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return "";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "***";
            }

            return builder.ToString();
        }
        catch (ArgumentException)
        {
            // Not parseable: hide every password-like value anyway.
            return PasswordPattern().Replace(connectionString, "$1=***");
        }
    }

    /// <summary>Replaces every occurrence of the connection string's password in <paramref name="text"/> (an error message) by ***.</summary>
    public static string Scrub(string text, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? password = null;
        try
        {
            password = new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
        }

        text = PasswordPattern().Replace(text, "$1=***");
        return string.IsNullOrEmpty(password) ? text : text.Replace(password, "***", StringComparison.Ordinal);
    }

    [GeneratedRegex("(?i)(password|pwd)\\s*=\\s*[^;]*")]
    private static partial Regex PasswordPattern();
}
