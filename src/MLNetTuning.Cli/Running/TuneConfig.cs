using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// A <c>.mltune</c> file: what <c>tune</c> needs to run a study again (our Model Builder <c>.mbconfig</c>). With the
/// same seed, the new study's tuner proposes the same trial parameters.
/// </summary>
internal sealed record TuneConfig
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Format version, for files written by later versions.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The study the config was written from.</summary>
    public string? Study { get; init; }

    public required string Data { get; init; }

    public required string Label { get; init; }

    public required string Task { get; init; }

    public required IReadOnlyList<string> Trainers { get; init; }

    public required string Tuner { get; init; }

    /// <summary>Properties of the tuner's options set by name (--tuner-option), or null.</summary>
    public IReadOnlyDictionary<string, string>? TunerOptions { get; init; }

    public string? Metric { get; init; }

    public required int Seed { get; init; }

    public required double ValidationFraction { get; init; }

    /// <summary>The study's trial budget.</summary>
    public int? Trials { get; init; }

    /// <summary>A multi-fidelity tuner's smallest budget (--min-budget), or null for its default.</summary>
    public double? MinBudget { get; init; }

    /// <summary>A multi-fidelity tuner's full budget (--max-budget), or null for its default.</summary>
    public double? MaxBudget { get; init; }

    /// <summary>The unit every trainer counts the budget in (--budget-unit), or null for each trainer's own.</summary>
    public string? BudgetUnit { get; init; }

    /// <summary>A file of validation rows (--validation-data) instead of <see cref="ValidationFraction"/>; a relative
    /// path is relative to the config file's folder.</summary>
    public string? ValidationData { get; init; }

    /// <summary>Folds of cross-validation (--cv) instead of <see cref="ValidationFraction"/>.</summary>
    public int? CrossValidationFolds { get; init; }

    public IReadOnlyDictionary<string, string>? ColumnKinds { get; init; }

    /// <summary>The config of a study's settings.</summary>
    public static TuneConfig Of(TuneSettings settings, string studyName) => new()
    {
        Study = studyName,
        Data = settings.DataPath,
        Label = settings.LabelColumn,
        Task = settings.Task,
        Trainers = settings.Trainers,
        Tuner = settings.Tuner,
        TunerOptions = settings.TunerOptions,
        Metric = settings.Metric,
        Seed = settings.Seed,
        ValidationFraction = settings.ValidationFraction,
        Trials = settings.Trials,
        MinBudget = settings.MinBudget,
        MaxBudget = settings.MaxBudget,
        BudgetUnit = settings.BudgetUnit,
        ValidationData = settings.ValidationData,
        CrossValidationFolds = settings.CrossValidationFolds,
        ColumnKinds = settings.ColumnKinds,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a config file; a relative data or validation-data path is relative to the file's folder.</summary>
    /// <exception cref="CliException">The file is missing or is not a config.</exception>
    public static TuneConfig Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"Config file not found: '{path}'.");
        }

        TuneConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<TuneConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CliException($"'{path}' is not a valid .mltune config: {e.Message}");
        }

        if (config is null)
        {
            throw new CliException($"'{path}' is empty; a .mltune config is a JSON object.");
        }

        if (config.Version != 1)
        {
            throw new CliException($"'{path}' has config version {config.Version}; this mlnet-tune reads version 1.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return config with
        {
            Data = Path.GetFullPath(config.Data, folder),
            ValidationData = config.ValidationData is null ? null : Path.GetFullPath(config.ValidationData, folder),
        };
    }
}
