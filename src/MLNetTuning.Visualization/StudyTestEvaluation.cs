using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Visualization;

/// <summary>One confirmed trial of a <see cref="StudyTestEvaluation"/>.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Trainer">Its trainer, when known.</param>
/// <param name="Validation">Its validation metric, on which it was chosen.</param>
/// <param name="TrainOnlyTest">The test metric of the same model, fitted on the training rows only.</param>
/// <param name="Optimism">Validation minus that test metric (reversed for a metric to minimize).</param>
/// <param name="Test">The test metric of the model refitted for use.</param>
/// <param name="Low">Lower end of <paramref name="Test"/>'s interval.</param>
/// <param name="High">Upper end of <paramref name="Test"/>'s interval.</param>
public sealed record ConfirmedTrialFigures(int TrialId, string? Trainer, double Validation, double TrainOnlyTest, double Optimism, double Test, double Low, double High);

/// <summary>
/// A study's test evaluation as the report shows it: the figures of a <see cref="TuningConfirmation"/>, read from
/// the confirmation itself or from the JSON kept with a stored study (<see cref="TuningConfirmation.StudyAttributeKey"/>)
/// or in the CLI's summary.json (its <c>test</c> section).
/// </summary>
public sealed class StudyTestEvaluation
{
    private StudyTestEvaluation(JsonObject json)
    {
        MetricName = (string?)json["metric_name"];
        Rows = Int(json, "rows");
        ConfidenceLevel = Number(json, "confidence");
        Resamples = Int(json, "resamples");
        Interval = (string?)json["interval"] ?? "bootstrap";
        RefitOnTrainAndValidation = (bool?)json["refit_on_train_and_validation"] ?? false;
        StudyTrials = json["study_trials"] is { } trials ? (int)trials : null;
        Trials = (json["top"] as JsonArray ?? []).OfType<JsonObject>().Select(t => new ConfirmedTrialFigures(
            Int(t, "trial"), (string?)t["trainer"], Number(t, "validation"), Number(t, "test_train_only"), Number(t, "optimism"), Number(t, "test"), Number(t, "ci_low"), Number(t, "ci_high"))).ToList();
        if (Trials.Count == 0)
        {
            throw new FormatException("The test evaluation lists no confirmed trial ('top' is missing or empty).");
        }
    }

    /// <summary>The metric's name, when recorded.</summary>
    public string? MetricName { get; }

    /// <summary>Rows in the test data.</summary>
    public int Rows { get; }

    /// <summary>The intervals' coverage (0.95).</summary>
    public double ConfidenceLevel { get; }

    /// <summary>Bootstrap resamples per interval.</summary>
    public int Resamples { get; }

    /// <summary>How the intervals were computed.</summary>
    public string Interval { get; }

    /// <summary>Whether the confirmed models were refitted on train + validation.</summary>
    public bool RefitOnTrainAndValidation { get; }

    /// <summary>Trials in the study when it was confirmed, when recorded.</summary>
    public int? StudyTrials { get; }

    /// <summary>The confirmed trials, the study's best first.</summary>
    public IReadOnlyList<ConfirmedTrialFigures> Trials { get; }

    /// <summary>The study's best trial, confirmed.</summary>
    public ConfirmedTrialFigures Best => Trials[0];

    /// <summary>The figures of a confirmation run in this process.</summary>
    public static StudyTestEvaluation From(TuningConfirmation confirmation)
    {
        ArgumentNullException.ThrowIfNull(confirmation);
        return new StudyTestEvaluation(confirmation.ToJsonObject());
    }

    /// <summary>Reads the JSON that <see cref="TuningConfirmation.ToJson"/> writes.</summary>
    /// <exception cref="FormatException">The text is not such JSON; the message says what is wrong.</exception>
    public static StudyTestEvaluation Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return new StudyTestEvaluation(JsonNode.Parse(json) as JsonObject ?? throw new FormatException("The test evaluation is not a JSON object."));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"The test evaluation is not readable: {e.Message}", e);
        }
    }

    // A figure no resample could measure is written as null: NaN here.
    private static double Number(JsonObject json, string name) =>
        json.TryGetPropertyValue(name, out var node) ? (node is null ? double.NaN : (double)node) : throw new FormatException($"The test evaluation has no '{name}'.");

    private static int Int(JsonObject json, string name) =>
        json[name] is { } node ? (int)node : throw new FormatException($"The test evaluation has no '{name}'.");
}
