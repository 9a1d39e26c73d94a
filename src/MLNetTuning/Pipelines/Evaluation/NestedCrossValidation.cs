using System.Globalization;
using Microsoft.ML;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines;

/// <summary>One outer fold of a nested cross-validation: the configuration its inner study chose, and that
/// configuration's score on the outer fold's held-out rows.</summary>
public sealed class OuterFoldResult
{
    internal OuterFoldResult(int fold, int trainRows, int testRows, double innerBest, double outerScore, string? trainer, TrialParameters parameters)
    {
        Fold = fold;
        TrainRows = trainRows;
        TestRows = testRows;
        InnerBestMetric = innerBest;
        OuterScore = outerScore;
        Trainer = trainer;
        Parameters = parameters;
    }

    /// <summary>The fold's number, from 0.</summary>
    public int Fold { get; }

    /// <summary>Rows the inner study tuned and the chosen model was fitted on.</summary>
    public int TrainRows { get; }

    /// <summary>Rows of the outer fold the model was scored on.</summary>
    public int TestRows { get; }

    /// <summary>The inner study's best cross-validated metric (optimistic).</summary>
    public double InnerBestMetric { get; }

    /// <summary>The chosen configuration refitted on the fold's training rows, scored on its held-out rows.</summary>
    public double OuterScore { get; }

    /// <summary>The chosen trainer.</summary>
    public string? Trainer { get; }

    /// <summary>The chosen hyperparameters.</summary>
    public TrialParameters Parameters { get; }
}

/// <summary>
/// The estimate of nested cross-validation: each outer fold runs its own inner study on the other folds' rows, and
/// the mean of the outer scores estimates the whole tune-then-fit procedure (not one model).
/// </summary>
public sealed class NestedCrossValidationEstimate
{
    internal NestedCrossValidationEstimate(IReadOnlyList<OuterFoldResult> folds, double confidenceLevel)
    {
        Folds = folds;
        var scores = folds.Select(f => f.OuterScore).ToList();
        Mean = scores.Average();
        var sd = scores.Count > 1 ? Math.Sqrt(scores.Sum(s => (s - Mean) * (s - Mean)) / (scores.Count - 1)) : double.NaN;
        var half = StudentQuantile(1 - ((1 - confidenceLevel) / 2), scores.Count - 1) * sd / Math.Sqrt(scores.Count);
        Low = Mean - half;
        High = Mean + half;
        ConfidenceLevel = confidenceLevel;
    }

    /// <summary>Every outer fold, with the configuration it chose.</summary>
    public IReadOnlyList<OuterFoldResult> Folds { get; }

    /// <summary>Mean of the outer scores.</summary>
    public double Mean { get; }

    /// <summary>Lower end of the t-interval of the mean (folds share training rows, so it is somewhat narrow).</summary>
    public double Low { get; }

    /// <summary>Upper end of the t-interval of the mean.</summary>
    public double High { get; }

    /// <summary>The interval's nominal coverage.</summary>
    public double ConfidenceLevel { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"Nested CV over {Folds.Count} outer folds: {Mean:F4} [{Low:F4}, {High:F4}]");

    /// <summary>Student's t quantile, by bisection on its distribution function (a regularized incomplete beta).</summary>
    internal static double StudentQuantile(double p, int df)
    {
        if (df < 1)
        {
            return double.NaN;
        }

        double lo = 0, hi = 1000;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (StudentCdf(mid, df) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    private static double StudentCdf(double t, int df)
    {
        // P(T <= t) for t >= 0 by Simpson's rule on the density; accurate to 1e-7 for the quantiles used here.
        const int steps = 2000;
        var h = t / steps;
        var logNorm = LogGamma((df + 1) / 2.0) - LogGamma(df / 2.0) - (0.5 * Math.Log(df * Math.PI));
        double Density(double x) => Math.Exp(logNorm - ((df + 1) / 2.0 * Math.Log(1 + (x * x / df))));
        var sum = Density(0) + Density(t);
        for (var i = 1; i < steps; i++)
        {
            sum += Density(i * h) * (i % 2 == 1 ? 4 : 2);
        }

        return 0.5 + (sum * h / 3);
    }

    private static double LogGamma(double x)
    {
        // Lanczos approximation (g = 7).
        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        x -= 1;
        var a = c[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += c[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }
}

/// <summary>Checks that nested cross-validation leaves every inner fold enough rows of every class.</summary>
internal static class NestedCrossValidationChecks
{
    public static void CheckRowsPerFold(IDataView data, string labelColumnName, TuningTask task, int outerFolds, int innerFolds)
    {
        var share = (outerFolds - 1.0) / outerFolds / innerFolds;
        var counts = new Dictionary<string, int>();
        if (task != TuningTask.Regression && data.Schema.GetColumnOrNull(labelColumnName) is not null)
        {
            foreach (var key in ColumnValues.Keys(data, labelColumnName))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        else
        {
            counts["(all rows)"] = ColumnValues.CountRows(data);
        }

        var scarce = counts.OrderBy(c => c.Value).First();
        if (scarce.Value * share < 2)
        {
            var what = task == TuningTask.Regression || counts.Count == 1 && scarce.Key == "(all rows)" ? $"{scarce.Value} rows" : $"{scarce.Value} rows of class '{scarce.Key}'";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Nested cross-validation with {outerFolds} outer and {innerFolds} inner folds needs at least 2 rows per inner fold and class, but the data has only {what}: about {scarce.Value * share:F1} per inner fold. Use fewer folds or more data."));
        }
    }
}

/// <summary>Runs the outer folds of a nested cross-validation, each with its own inner study.</summary>
internal static class NestedCrossValidationRunner
{
    private const int OuterFoldStream = 1_000_004;

    public static async Task<NestedCrossValidationEstimate> RunAsync(TuningExperiment experiment, IDataView data, int seed, CancellationToken cancellationToken)
    {
        NestedCrossValidationChecks.CheckRowsPerFold(data, experiment.LabelColumnName, experiment.Metric.Task, experiment.OuterFolds, experiment.InnerFolds);
        var folds = DataSplitter.Folds(data, experiment.OuterFolds, experiment.SplitColumns, MLNetTuning.Tuners.SeedMixer.Mix(seed, OuterFoldStream));
        var results = new List<OuterFoldResult>(folds.Count);
        for (var j = 0; j < folds.Count; j++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inner = await experiment.ForOuterFold(folds[j].Train, j, seed).RunAsync(cancellationToken).ConfigureAwait(false);
            if (inner.BestModel is null || inner.BestTrial is null)
            {
                throw new InvalidOperationException($"Every trial of outer fold {j} failed; the first error: {inner.FirstError}");
            }

            var score = experiment.Metric.Evaluate(new MLContext(seed), inner.BestModel.Transform(folds[j].Validation), experiment.LabelColumnName);
            results.Add(new OuterFoldResult(
                j,
                ColumnValues.CountRows(folds[j].Train),
                ColumnValues.CountRows(folds[j].Validation),
                inner.BestMetric!.Value,
                score,
                inner.BestTrial.Attributes.GetValueOrDefault("trainer"),
                inner.BestTrial.Parameters));
        }

        return new NestedCrossValidationEstimate(results, 0.95);
    }
}
