using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Pipelines;

/// <summary>
/// A model's scored test rows held as arrays, and the experiment's metric computed on any resample of them, so that
/// a bootstrap costs arrays, not 1,000 runs of ML.NET's evaluator. The formulas are ML.NET's (the tests check them
/// against its evaluators); a metric without one here (area under the precision-recall curve) is measured by
/// ML.NET's evaluator on each resample.
/// </summary>
internal sealed class ScoredRows
{
    private readonly TuningMetric _metric;
    private readonly double[] _label;
    private readonly float[] _score;
    private readonly float[]? _probability;
    private readonly int[] _predicted;
    private readonly float[][]? _classScores;
    private RankedScores? _ranked;

    private ScoredRows(TuningMetric metric, double[] label, float[] score, float[]? probability, int[] predicted, float[][]? classScores)
    {
        _metric = metric;
        _label = label;
        _score = score;
        _probability = probability;
        _predicted = predicted;
        _classScores = classScores;
    }

    public int Count => _label.Length;

    /// <summary>The class of each row (for a stratified bootstrap), or null for regression.</summary>
    public int[]? Strata => _metric.Task == TuningTask.Regression ? null : _label.Select(l => (int)l).ToArray();

    /// <summary>Reads the label and the scorer's columns of <paramref name="scored"/>.</summary>
    public static ScoredRows Read(TuningMetric metric, IDataView scored, string labelColumnName)
    {
        var labelColumn = scored.Schema[labelColumnName];
        switch (metric.Task)
        {
            case TuningTask.BinaryClassification:
            {
                var label = scored.GetColumn<bool>(labelColumn).Select(b => b ? 1.0 : 0.0).ToArray();
                var score = scored.GetColumn<float>(scored.Schema["Score"]).ToArray();
                var probability = scored.Schema.GetColumnOrNull("Probability") is { } p ? scored.GetColumn<float>(p).ToArray() : null;
                var predicted = scored.GetColumn<bool>(scored.Schema["PredictedLabel"]).Select(b => b ? 1 : 0).ToArray();
                return new ScoredRows(metric, label, score, probability, predicted, null);
            }

            case TuningTask.MulticlassClassification:
            {
                // Keys count from 1; 0 is a missing label, which ML.NET's evaluator skips too.
                var label = scored.GetColumn<uint>(labelColumn).Select(k => (double)k - 1).ToArray();
                var predicted = scored.GetColumn<uint>(scored.Schema["PredictedLabel"]).Select(k => (int)k - 1).ToArray();
                var scores = scored.GetColumn<VBuffer<float>>(scored.Schema["Score"]).Select(v => v.DenseValues().ToArray()).ToArray();
                var keep = Enumerable.Range(0, label.Length).Where(i => label[i] >= 0).ToArray();
                return new ScoredRows(metric, keep.Select(i => label[i]).ToArray(), new float[keep.Length], null, keep.Select(i => predicted[i]).ToArray(), keep.Select(i => scores[i]).ToArray());
            }

            default:
            {
                var label = scored.GetColumn<float>(labelColumn).Select(v => (double)v).ToArray();
                var score = scored.GetColumn<float>(scored.Schema["Score"]).ToArray();
                return new ScoredRows(metric, label, score, null, new int[label.Length], null);
            }
        }
    }

    /// <summary>The metric on the rows at <paramref name="rows"/> (with repeats, as a bootstrap draws them).</summary>
    public double Evaluate(IReadOnlyList<int> rows) => (_metric.Task, _metric.Name) switch
    {
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.AreaUnderRocCurve)) => AreaUnderRoc(rows),
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.Accuracy)) => rows.Average(i => _predicted[i] == (int)_label[i] ? 1.0 : 0.0),
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.PositivePrecision)) => Confusion(rows).Precision,
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.PositiveRecall)) => Confusion(rows).Recall,
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.F1Score)) => Confusion(rows).F1,
        (TuningTask.BinaryClassification, nameof(BinaryTuningMetric.LogLoss)) => rows.Average(i => -Math.Log(Math.Max(1e-15, _label[i] > 0 ? _probability![i] : 1 - _probability![i]), 2)),
        (TuningTask.BinaryClassification, _) => EvaluateWithMLNet(rows),
        (TuningTask.MulticlassClassification, nameof(MulticlassTuningMetric.MicroAccuracy)) => rows.Average(i => _predicted[i] == (int)_label[i] ? 1.0 : 0.0),
        (TuningTask.MulticlassClassification, nameof(MulticlassTuningMetric.MacroAccuracy)) => rows.GroupBy(i => (int)_label[i]).Average(g => g.Average(i => _predicted[i] == (int)_label[i] ? 1.0 : 0.0)),
        (TuningTask.MulticlassClassification, nameof(MulticlassTuningMetric.LogLoss)) => MulticlassLogLoss(rows),
        (TuningTask.MulticlassClassification, nameof(MulticlassTuningMetric.LogLossReduction)) => 1 - (MulticlassLogLoss(rows) / PriorLogLoss(rows)),
        (TuningTask.Regression, nameof(RegressionTuningMetric.RootMeanSquaredError)) => Math.Sqrt(rows.Average(i => Square(_label[i] - _score[i]))),
        (TuningTask.Regression, nameof(RegressionTuningMetric.MeanSquaredError)) => rows.Average(i => Square(_label[i] - _score[i])),
        (TuningTask.Regression, nameof(RegressionTuningMetric.MeanAbsoluteError)) => rows.Average(i => Math.Abs(_label[i] - _score[i])),
        (TuningTask.Regression, nameof(RegressionTuningMetric.RSquared)) => RSquared(rows),
        _ => throw new NotSupportedException($"No bootstrap formula for {_metric.Name}."),
    };

    private static double Square(double x) => x * x;

    /// <summary>The Mann-Whitney statistic: the chance a positive row outscores a negative one, ties counting half.
    /// The scores are sorted once for all resamples.</summary>
    private double AreaUnderRoc(IReadOnlyList<int> rows)
    {
        var ranked = _ranked ??= new RankedScores(_score, [.. _label.Select(l => l > 0)]);
        return ranked.AreaUnderRoc(ranked.Weights(rows));
    }

    private (double Precision, double Recall, double F1) Confusion(IReadOnlyList<int> rows)
    {
        double tp = 0, fp = 0, fn = 0;
        foreach (var i in rows)
        {
            var actual = _label[i] > 0;
            var predicted = _predicted[i] == 1;
            tp += actual && predicted ? 1 : 0;
            fp += !actual && predicted ? 1 : 0;
            fn += actual && !predicted ? 1 : 0;
        }

        var precision = tp + fp == 0 ? 0 : tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (tp + fn);
        return (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }

    private double MulticlassLogLoss(IReadOnlyList<int> rows) =>
        rows.Average(i => -Math.Log(Math.Max(1e-15, _classScores![i][(int)_label[i]])));

    /// <summary>The log-loss of always predicting the resample's own class frequencies.</summary>
    private double PriorLogLoss(IReadOnlyList<int> rows)
    {
        var n = (double)rows.Count;
        return -rows.GroupBy(i => (int)_label[i]).Sum(g => g.Count() / n * Math.Log(g.Count() / n));
    }

    private double RSquared(IReadOnlyList<int> rows)
    {
        var mean = rows.Average(i => _label[i]);
        var residual = rows.Sum(i => Square(_label[i] - _score[i]));
        var total = rows.Sum(i => Square(_label[i] - mean));
        return 1 - (residual / total);
    }

    private double EvaluateWithMLNet(IReadOnlyList<int> rows)
    {
        var context = new MLContext(0);
        var view = context.Data.LoadFromEnumerable(rows.Select(i => new BinaryScoredRow
        {
            Label = _label[i] > 0,
            Score = _score[i],
            Probability = _probability?[i] ?? 0,
            PredictedLabel = _predicted[i] == 1,
        }));
        if (_probability is null)
        {
            view = context.Transforms.DropColumns(nameof(BinaryScoredRow.Probability)).Fit(view).Transform(view);
        }

        return _metric.Evaluate(context, view, nameof(BinaryScoredRow.Label));
    }

    private sealed class BinaryScoredRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
