using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetTuning.Cli.Data;

namespace MLNetTuning.Cli.Running;

/// <summary>What a study of the tool tunes; kept with the study in the store so that workers can join it and a
/// resumed run can be checked against it.</summary>
internal sealed record TuneSettings
{
    public const string AttributeKey = "mlnet-tune.settings";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public required string DataPath { get; init; }

    public required string LabelColumn { get; init; }

    public required string Task { get; init; }

    public required IReadOnlyList<string> Trainers { get; init; }

    public required string Tuner { get; init; }

    /// <summary>Properties of the tuner's options set by name (--tuner-option), or null for its defaults.</summary>
    public IReadOnlyDictionary<string, string>? TunerOptions { get; init; }

    public string? Metric { get; init; }

    /// <summary>The multi-fidelity tuner's smallest budget (--min-budget), or null for its default.</summary>
    public double? MinBudget { get; init; }

    /// <summary>The multi-fidelity tuner's full budget (--max-budget), or null for its default.</summary>
    public double? MaxBudget { get; init; }

    /// <summary>The budget unit every trainer counts the tuner's budget in (--budget-unit), or null for each trainer's default.</summary>
    public string? BudgetUnit { get; init; }

    public required int Seed { get; init; }

    public required double ValidationFraction { get; init; }

    public int? Trials { get; init; }

    /// <summary>A CSV/TSV file of validation rows (--validation-data), instead of a share of the rows.</summary>
    public string? ValidationData { get; init; }

    /// <summary>Folds of cross-validation (--cv), instead of validation rows.</summary>
    public int? CrossValidationFolds { get; init; }

    /// <summary>Size of the data file in bytes (null in studies made before it was kept).</summary>
    public long? DataSize { get; init; }

    /// <summary>SHA-256 of the data file, hex (null in studies made before it was kept).</summary>
    public string? DataHash { get; init; }

    /// <summary>Column kinds set with --column-kind: name to numeric, text, categorical or ignore.</summary>
    public IReadOnlyDictionary<string, string>? ColumnKinds { get; init; }

    /// <summary>A CSV/TSV file of test rows, scored once after the study.</summary>
    public string? TestData { get; init; }

    /// <summary>Share of the rows held back as test rows, or null (none, or <see cref="TestData"/>).</summary>
    public double? TestFraction { get; init; }

    /// <summary>Whether <see cref="TestFraction"/> is the default for large data rather than asked for.</summary>
    [JsonIgnore]
    public bool TestFractionIsDefault { get; init; }

    public string? GroupColumn { get; init; }

    public string? OrderColumn { get; init; }

    public Data.HoldOutSettings HoldOut() => new(TestData, TestFraction, GroupColumn, OrderColumn, ValidationData, CrossValidationFolds);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="CliException">The stored settings are not valid JSON of settings (exit 3).</exception>
    public static TuneSettings FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TuneSettings>(json, Json)
                ?? throw new CliException("The study's stored settings are empty.", ExitCodes.StoreError);
        }
        catch (JsonException e)
        {
            throw new CliException($"The study's stored settings cannot be read: {e.Message}", ExitCodes.StoreError);
        }
    }

    /// <summary>These settings with the size and hash of the data file.</summary>
    public TuneSettings WithDataFingerprint()
    {
        var (size, hash) = Fingerprint(DataPath);
        return this with { DataSize = size, DataHash = hash };
    }

    /// <summary>The size and SHA-256 of a file.</summary>
    public static (long Size, string Hash) Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        return (stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    /// <summary>The --column-kind settings as kinds.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Kinds() =>
        (ColumnKinds ?? new Dictionary<string, string>()).ToDictionary(k => k.Key, k => Enum.Parse<ColumnKind>(k.Value, ignoreCase: true), StringComparer.Ordinal);

    /// <summary>Parses <c>NAME=numeric|text|categorical|ignore</c> items.</summary>
    /// <exception cref="CliException">An item has no '=', an unknown kind, or names the label.</exception>
    public static IReadOnlyDictionary<string, string>? ParseColumnKinds(IEnumerable<string> items, string labelColumn)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var at = item.LastIndexOf('=');
            var name = at > 0 ? item[..at].Trim() : "";
            var kind = at > 0 ? item[(at + 1)..].Trim().ToLowerInvariant() : "";
            if (name.Length == 0 || kind is not ("numeric" or "text" or "categorical" or "ignore"))
            {
                throw new CliException($"--column-kind '{item}' must be NAME=numeric, NAME=text, NAME=categorical or NAME=ignore.");
            }

            if (name == labelColumn)
            {
                throw new CliException($"--column-kind cannot set the label column '{labelColumn}'; its use follows from --task.");
            }

            kinds[name] = kind;
        }

        return kinds.Count == 0 ? null : kinds;
    }
}
