using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace MLNetTuning.Pipelines;

/// <summary>A metric measured on the test rows, with its bootstrap confidence interval.</summary>
/// <param name="Value">The metric on all test rows.</param>
/// <param name="Low">Lower end of the interval.</param>
/// <param name="High">Upper end of the interval.</param>
public sealed record MetricEstimate(double Value, double Low, double High)
{
    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"{Value:F4} [{Low:F4}, {High:F4}]");
}

/// <summary>One of the top trials scored once on the test rows after the study.</summary>
public sealed class ConfirmedTrial
{
    internal ConfirmedTrial(int trialId, string? trainer, double validationMetric, MetricEstimate trainOnlyTest, MetricEstimate test, double optimism, ITransformer trainOnlyModel, ITransformer model)
    {
        TrainOnlyModel = trainOnlyModel;
        Model = model;
        TrialId = trialId;
        Trainer = trainer;
        ValidationMetric = validationMetric;
        TrainOnlyTestMetric = trainOnlyTest;
        TestMetric = test;
        Optimism = optimism;
    }

    /// <summary>The trial's id.</summary>
    public int TrialId { get; }

    /// <summary>The trial's trainer (its <c>trainer</c> attribute).</summary>
    public string? Trainer { get; }

    /// <summary>The trial's validation metric, on which it was chosen.</summary>
    public double ValidationMetric { get; }

    /// <summary>The test metric of the trial's model fitted on the training rows only: the very model the
    /// validation metric measured (after cross-validation: fitted on every row the study saw).</summary>
    public MetricEstimate TrainOnlyTestMetric { get; }

    /// <summary>How much the validation metric flatters the model: <see cref="ValidationMetric"/> minus
    /// <see cref="TrainOnlyTestMetric"/> for a metric to maximize, the reverse for one to minimize. Positive means
    /// optimistic. Both measure the same model, so this is selection bias (plus test noise), never more data.</summary>
    public double Optimism { get; }

    /// <summary>The model fitted on the training rows only, which <see cref="TrainOnlyTestMetric"/> measured.</summary>
    public ITransformer TrainOnlyModel { get; }

    /// <summary>The refitted model, which <see cref="TestMetric"/> measured (the same as <see cref="TrainOnlyModel"/>
    /// without the refit).</summary>
    public ITransformer Model { get; }

    /// <summary>The test metric of the model refitted for use (on train + validation when
    /// <see cref="TuningExperimentOptions.RefitOnTrainAndValidation"/> is on), reported beside the optimism.</summary>
    public MetricEstimate TestMetric { get; }
}

/// <summary>
/// The confirmation on held-out test rows that follows a study: the best trial and the next best, each refitted
/// and scored once on rows that no tuner, pruner or model choice saw.
/// </summary>
public sealed class TuningConfirmation
{
    /// <summary>The study attribute (<see cref="Storage.ITrialStore.SetStudyAttribute"/>) that keeps the confirmation
    /// with a stored study, as <see cref="ToJson"/> writes it; reports of the stored study read it.</summary>
    public const string StudyAttributeKey = "test_evaluation";

    internal TuningConfirmation(string metricName, int studyTrials, int testRows, bool refitOnTrainAndValidation, double confidenceLevel, int resamples, IReadOnlyList<ConfirmedTrial> trials)
    {
        MetricName = metricName;
        StudyTrials = studyTrials;
        TestRows = testRows;
        RefitOnTrainAndValidation = refitOnTrainAndValidation;
        ConfidenceLevel = confidenceLevel;
        Resamples = resamples;
        Trials = trials;
    }

    /// <summary>The metric's name (such as <c>AreaUnderRocCurve</c>).</summary>
    public string MetricName { get; }

    /// <summary>Trials in the study when it was confirmed.</summary>
    public int StudyTrials { get; }

    /// <summary>Rows in the test data.</summary>
    public int TestRows { get; }

    /// <summary>Whether the confirmed models were refitted on train + validation.</summary>
    public bool RefitOnTrainAndValidation { get; }

    /// <summary>Coverage of the intervals (0.95).</summary>
    public double ConfidenceLevel { get; }

    /// <summary>Bootstrap resamples per interval: <see cref="TuningExperimentOptions.BootstrapResamples"/>, or fewer
    /// (the fewest of any interval, at least 100) when the time budget's end stopped the resampling.</summary>
    public int Resamples { get; }

    /// <summary>The confirmed trials, best (by validation) first.</summary>
    public IReadOnlyList<ConfirmedTrial> Trials { get; }

    /// <summary>The study's best trial, confirmed; <see cref="TuningExperimentResult.BestModel"/> is its refitted model.</summary>
    public ConfirmedTrial Best => Trials[0];

    /// <summary>The confirmation as JSON: the best trial's <c>metric</c> (test value of the refitted model),
    /// <c>ci_low</c>, <c>ci_high</c>, <c>validation</c>, <c>optimism</c>, <c>rows</c>, <c>train_only_metric</c>, the
    /// interval's settings, and the <c>top</c> confirmed trials; the <c>test</c> section of the CLI's summary.json.
    /// A figure no resample could measure (NaN) is null.</summary>
    public string ToJson() => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The JSON of <see cref="ToJson"/> as a node, to embed in another document.</summary>
    public JsonObject ToJsonObject()
    {
        var best = Best;
        return new JsonObject
        {
            ["metric_name"] = MetricName,
            ["metric"] = Number(best.TestMetric.Value),
            ["ci_low"] = Number(best.TestMetric.Low),
            ["ci_high"] = Number(best.TestMetric.High),
            ["validation"] = Number(best.ValidationMetric),
            ["optimism"] = Number(best.Optimism),
            ["rows"] = TestRows,
            ["train_only_metric"] = Number(best.TrainOnlyTestMetric.Value),
            ["train_only_ci_low"] = Number(best.TrainOnlyTestMetric.Low),
            ["train_only_ci_high"] = Number(best.TrainOnlyTestMetric.High),
            ["confidence"] = ConfidenceLevel,
            ["resamples"] = Resamples,
            ["interval"] = "percentile bootstrap, stratified by class with the class mix resampled",
            ["refit_on_train_and_validation"] = RefitOnTrainAndValidation,
            ["study_trials"] = StudyTrials,
            ["top"] = new JsonArray(Trials.Select(t => (JsonNode)new JsonObject
            {
                ["trial"] = t.TrialId,
                ["trainer"] = t.Trainer,
                ["validation"] = Number(t.ValidationMetric),
                ["test_train_only"] = Number(t.TrainOnlyTestMetric.Value),
                ["optimism"] = Number(t.Optimism),
                ["test"] = Number(t.TestMetric.Value),
                ["ci_low"] = Number(t.TestMetric.Low),
                ["ci_high"] = Number(t.TestMetric.High),
            }).ToArray()),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"Test {Best.TestMetric} on {TestRows} rows ({ConfidenceLevel:P0} bootstrap interval); validation {Best.ValidationMetric:F4}, optimism {Best.Optimism:+0.0000;-0.0000}.");

    // JSON has no NaN (an interval no resample could measure): it is written as null.
    private static JsonValue? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
