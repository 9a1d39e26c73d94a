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
    internal TuningConfirmation(int testRows, bool refitOnTrainAndValidation, double confidenceLevel, int resamples, IReadOnlyList<ConfirmedTrial> trials)
    {
        TestRows = testRows;
        RefitOnTrainAndValidation = refitOnTrainAndValidation;
        ConfidenceLevel = confidenceLevel;
        Resamples = resamples;
        Trials = trials;
    }

    /// <summary>Rows in the test data.</summary>
    public int TestRows { get; }

    /// <summary>Whether the confirmed models were refitted on train + validation.</summary>
    public bool RefitOnTrainAndValidation { get; }

    /// <summary>Coverage of the intervals (0.95).</summary>
    public double ConfidenceLevel { get; }

    /// <summary>Bootstrap resamples per interval.</summary>
    public int Resamples { get; }

    /// <summary>The confirmed trials, best (by validation) first.</summary>
    public IReadOnlyList<ConfirmedTrial> Trials { get; }

    /// <summary>The study's best trial, confirmed; <see cref="TuningExperimentResult.BestModel"/> is its refitted model.</summary>
    public ConfirmedTrial Best => Trials[0];

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"Test {Best.TestMetric} on {TestRows} rows ({ConfidenceLevel:P0} bootstrap interval); validation {Best.ValidationMetric:F4}, optimism {Best.Optimism:+0.0000;-0.0000}.");
}
