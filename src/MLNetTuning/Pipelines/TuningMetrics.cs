using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>Metrics a binary-classification experiment can optimize.</summary>
public enum BinaryTuningMetric
{
    /// <summary>Area under the ROC curve (higher is better).</summary>
    AreaUnderRocCurve,

    /// <summary>Area under the precision-recall curve (higher is better).</summary>
    AreaUnderPrecisionRecallCurve,

    /// <summary>Accuracy (higher is better).</summary>
    Accuracy,

    /// <summary>F1 score of the positive class (higher is better).</summary>
    F1Score,

    /// <summary>Precision of the positive class (higher is better).</summary>
    PositivePrecision,

    /// <summary>Recall of the positive class (higher is better).</summary>
    PositiveRecall,

    /// <summary>Log-loss; needs a calibrated trainer (lower is better).</summary>
    LogLoss,
}

/// <summary>Metrics a multiclass-classification experiment can optimize.</summary>
public enum MulticlassTuningMetric
{
    /// <summary>Micro-averaged accuracy: the fraction of rows predicted right (higher is better).</summary>
    MicroAccuracy,

    /// <summary>Macro-averaged accuracy: the mean of per-class accuracies (higher is better).</summary>
    MacroAccuracy,

    /// <summary>Log-loss (lower is better).</summary>
    LogLoss,

    /// <summary>Log-loss reduction against the prior (higher is better).</summary>
    LogLossReduction,
}

/// <summary>Metrics a regression experiment can optimize.</summary>
public enum RegressionTuningMetric
{
    /// <summary>Coefficient of determination (higher is better).</summary>
    RSquared,

    /// <summary>Root mean squared error (lower is better).</summary>
    RootMeanSquaredError,

    /// <summary>Mean absolute error (lower is better).</summary>
    MeanAbsoluteError,

    /// <summary>Mean squared error (lower is better).</summary>
    MeanSquaredError,
}

/// <summary>The machine-learning task of an experiment.</summary>
public enum TuningTask
{
    /// <summary>Two classes, a Boolean label.</summary>
    BinaryClassification,

    /// <summary>Several classes, a key-typed label.</summary>
    MulticlassClassification,

    /// <summary>A numeric (Single) label.</summary>
    Regression,
}

/// <summary>A metric: its name, direction, task and how to compute it from scored data.</summary>
public sealed class TuningMetric
{
    private readonly Func<MLContext, IDataView, string, double> _evaluate;

    private TuningMetric(string name, TuningTask task, OptimizationDirection direction, Func<MLContext, IDataView, string, double> evaluate)
    {
        Name = name;
        Task = task;
        Direction = direction;
        _evaluate = evaluate;
    }

    /// <summary>Name as ML.NET's metrics class spells it.</summary>
    public string Name { get; }

    /// <summary>The task.</summary>
    public TuningTask Task { get; }

    /// <summary>Whether higher or lower is better.</summary>
    public OptimizationDirection Direction { get; }

    /// <summary>Computes the metric on scored data.</summary>
    public double Evaluate(MLContext context, IDataView scored, string labelColumnName) => _evaluate(context, scored, labelColumnName);

    /// <summary>The metric for a binary-classification enum value.</summary>
    public static TuningMetric For(BinaryTuningMetric metric) => metric switch
    {
        BinaryTuningMetric.AreaUnderRocCurve => Binary(metric, true, m => m.AreaUnderRocCurve),
        BinaryTuningMetric.AreaUnderPrecisionRecallCurve => Binary(metric, true, m => m.AreaUnderPrecisionRecallCurve),
        BinaryTuningMetric.Accuracy => Binary(metric, true, m => m.Accuracy),
        BinaryTuningMetric.F1Score => Binary(metric, true, m => m.F1Score),
        BinaryTuningMetric.PositivePrecision => Binary(metric, true, m => m.PositivePrecision),
        BinaryTuningMetric.PositiveRecall => Binary(metric, true, m => m.PositiveRecall),
        BinaryTuningMetric.LogLoss => new(
            metric.ToString(),
            TuningTask.BinaryClassification,
            OptimizationDirection.Minimize,
            (context, scored, label) => scored.Schema.GetColumnOrNull("Probability") is null
                ? throw new InvalidOperationException("LogLoss needs a Probability column; this trainer is not calibrated.")
                : context.BinaryClassification.Evaluate(scored, label).LogLoss),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown binary-classification metric."),
    };

    /// <summary>The metric for a multiclass-classification enum value.</summary>
    public static TuningMetric For(MulticlassTuningMetric metric)
    {
        Func<MulticlassClassificationMetrics, double> read = metric switch
        {
            MulticlassTuningMetric.MicroAccuracy => m => m.MicroAccuracy,
            MulticlassTuningMetric.MacroAccuracy => m => m.MacroAccuracy,
            MulticlassTuningMetric.LogLoss => m => m.LogLoss,
            MulticlassTuningMetric.LogLossReduction => m => m.LogLossReduction,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown multiclass-classification metric."),
        };
        var direction = metric == MulticlassTuningMetric.LogLoss ? OptimizationDirection.Minimize : OptimizationDirection.Maximize;
        return new(metric.ToString(), TuningTask.MulticlassClassification, direction, (context, scored, label) => read(context.MulticlassClassification.Evaluate(scored, label)));
    }

    /// <summary>The metric for a regression enum value.</summary>
    public static TuningMetric For(RegressionTuningMetric metric)
    {
        Func<RegressionMetrics, double> read = metric switch
        {
            RegressionTuningMetric.RSquared => m => m.RSquared,
            RegressionTuningMetric.RootMeanSquaredError => m => m.RootMeanSquaredError,
            RegressionTuningMetric.MeanAbsoluteError => m => m.MeanAbsoluteError,
            RegressionTuningMetric.MeanSquaredError => m => m.MeanSquaredError,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown regression metric."),
        };
        var direction = metric == RegressionTuningMetric.RSquared ? OptimizationDirection.Maximize : OptimizationDirection.Minimize;
        return new(metric.ToString(), TuningTask.Regression, direction, (context, scored, label) => read(context.Regression.Evaluate(scored, label)));
    }

    private static TuningMetric Binary(BinaryTuningMetric metric, bool higherIsBetter, Func<BinaryClassificationMetrics, double> read) => new(
        metric.ToString(),
        TuningTask.BinaryClassification,
        higherIsBetter ? OptimizationDirection.Maximize : OptimizationDirection.Minimize,
        (context, scored, label) => read(scored.Schema.GetColumnOrNull("Probability") is null
            ? context.BinaryClassification.EvaluateNonCalibrated(scored, label)
            : context.BinaryClassification.Evaluate(scored, label)));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
