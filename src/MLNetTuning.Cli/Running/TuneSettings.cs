using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetTuning.Cli.Running;

/// <summary>What a study of the tool tunes; kept with the study in the store so that workers can join it.</summary>
internal sealed record TuneSettings
{
    public const string AttributeKey = "mlnet-tune.settings";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public required string DataPath { get; init; }

    public required string LabelColumn { get; init; }

    public required string Task { get; init; }

    public required IReadOnlyList<string> Trainers { get; init; }

    public required string Tuner { get; init; }

    public string? Metric { get; init; }

    public required int Seed { get; init; }

    public required double ValidationFraction { get; init; }

    public int? Trials { get; init; }

    /// <summary>A CSV/TSV file of test rows, scored once after the study.</summary>
    public string? TestData { get; init; }

    /// <summary>Share of the rows held back as test rows, or null (none, or <see cref="TestData"/>).</summary>
    public double? TestFraction { get; init; }

    /// <summary>Whether <see cref="TestFraction"/> is the default for large data rather than asked for.</summary>
    [JsonIgnore]
    public bool TestFractionIsDefault { get; init; }

    public string? GroupColumn { get; init; }

    public string? OrderColumn { get; init; }

    public Data.HoldOutSettings HoldOut() => new(TestData, TestFraction, GroupColumn, OrderColumn);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TuneSettings FromJson(string json) => JsonSerializer.Deserialize<TuneSettings>(json, Json)
        ?? throw new CliException("The study's stored settings are empty.");
}
