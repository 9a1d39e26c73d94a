using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>The confirmation on test rows: intervals checked against closed forms, metrics against ML.NET, and runs
/// reproducible with a seed.</summary>
public class ConfirmationTests
{
    [Test]
    public void BootstrapIntervalOfAProportionMatchesTheNormalInterval()
    {
        const int n = 20_000;
        var random = new Random(3);
        var values = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3 ? 1.0 : 0.0).ToArray();
        var p = values.Average();
        var half = 1.959964 * Math.Sqrt(p * (1 - p) / n);

        var (low, high, _) = BootstrapInterval.Percentile(n, null, rows => rows.Average(i => values[i]), 1000, 0.95, seed: 7);

        Assert.That(low, Is.EqualTo(p - half).Within(0.005));
        Assert.That(high, Is.EqualTo(p + half).Within(0.005));
        Assert.That(high - low, Is.EqualTo(2 * half).Within(0.1 * 2 * half), "the width, not only the ends, matches");
    }

    [Test]
    public void StratifiedBootstrapResamplesTheClassMixAndKeepsEveryClass()
    {
        // 100 rows, 3 of class 1: a plain resample lacks class 1 in about 5% of draws.
        var strata = Enumerable.Range(0, 100).Select(i => i < 3 ? 1 : 0).ToArray();
        var counts = new List<int>();
        BootstrapInterval.Percentile(100, strata, rows =>
        {
            counts.Add(rows.Count(i => strata[i] == 1));
            return 0;
        }, 2000, 0.95, seed: 1);

        Assert.That(counts, Has.All.GreaterThan(0), "every class is in every resample");
        Assert.That(counts.Distinct().Count(), Is.GreaterThan(3), "the class count varies as in a random draw");

        // Binomial(100, 0.03) conditioned on at least one: mean 3 / (1 - 0.97^100) = 3.143.
        Assert.That(counts.Average(), Is.EqualTo(3 / (1 - Math.Pow(0.97, 100))).Within(0.1));
    }

    [Test]
    public void StratifiedIntervalOfAccuracyMatchesTheUnconditionalNormalInterval()
    {
        // A model that favours class 1: right on 95% of class 1, 45% of class 0. Test rows drawn at random have a
        // random class mix, so the standard error of accuracy is sqrt(p(1 - p) / n) with p = 0.70; holding the class
        // counts fixed would give sqrt(sum share·a·(1 - a) / n), 16% smaller.
        const int n = 4000;
        var random = new Random(5);
        var strata = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var correct = strata.Select(c => random.NextDouble() < (c == 1 ? 0.95 : 0.45) ? 1.0 : 0.0).ToArray();
        var p = correct.Average();
        var half = 1.959964 * Math.Sqrt(p * (1 - p) / n);

        var (low, high, _) = BootstrapInterval.Percentile(n, strata, rows => rows.Average(i => correct[i]), 1000, 0.95, seed: 3);

        Assert.That(high - low, Is.EqualTo(2 * half).Within(0.07 * 2 * half));
        Assert.That((low + high) / 2, Is.EqualTo(p).Within(0.002));
    }

    [TestCase(BinaryTuningMetric.AreaUnderRocCurve)]
    [TestCase(BinaryTuningMetric.Accuracy)]
    [TestCase(BinaryTuningMetric.F1Score)]
    [TestCase(BinaryTuningMetric.PositivePrecision)]
    [TestCase(BinaryTuningMetric.PositiveRecall)]
    [TestCase(BinaryTuningMetric.LogLoss)]
    [TestCase(BinaryTuningMetric.AreaUnderPrecisionRecallCurve)]
    public void BinaryFormulasEqualMLNetsEvaluator(BinaryTuningMetric which)
    {
        var ml = new MLContext(1);
        var data = EvaluationData.Binary(ml, 800, seed: 8);
        var split = ml.Data.TrainTestSplit(data, 0.5, seed: 1);
        var model = ml.BinaryClassification.Trainers.LbfgsLogisticRegression().Fit(split.TrainSet);
        AssertFormulaMatches(ml, TuningMetric.For(which), model.Transform(split.TestSet));
    }

    [TestCase(MulticlassTuningMetric.MicroAccuracy)]
    [TestCase(MulticlassTuningMetric.MacroAccuracy)]
    [TestCase(MulticlassTuningMetric.LogLoss)]
    [TestCase(MulticlassTuningMetric.LogLossReduction)]
    public void MulticlassFormulasEqualMLNetsEvaluator(MulticlassTuningMetric which)
    {
        var ml = new MLContext(1);
        var iris = SharedData.Iris(ml);
        var model = ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 3).Fit(iris);
        AssertFormulaMatches(ml, TuningMetric.For(which), model.Transform(iris));
    }

    [TestCase(RegressionTuningMetric.RSquared)]
    [TestCase(RegressionTuningMetric.RootMeanSquaredError)]
    [TestCase(RegressionTuningMetric.MeanAbsoluteError)]
    [TestCase(RegressionTuningMetric.MeanSquaredError)]
    public void RegressionFormulasEqualMLNetsEvaluator(RegressionTuningMetric which)
    {
        var ml = new MLContext(1);
        var housing = SharedData.Housing(ml);
        var model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Sdca(maximumNumberOfIterations: 5)).Fit(housing);
        AssertFormulaMatches(ml, TuningMetric.For(which), model.Transform(housing));
    }

    private static void AssertFormulaMatches(MLContext ml, TuningMetric metric, IDataView scored)
    {
        var expected = metric.Evaluate(ml, scored, "Label");
        var rows = ScoredRows.Read(metric, scored, "Label");
        Assert.That(rows.Evaluate(Enumerable.Range(0, rows.Count).ToArray()), Is.EqualTo(expected).Within(1e-6 * Math.Max(1, Math.Abs(expected))));
    }

    private static TuningExperimentResult RunConfirmed(int seed, bool refit = true)
    {
        var ml = new MLContext(seed);
        var tuning = ml.Tuning();
        var pipeline = tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(tuning.BinaryClassification.FastTree());
        return tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 8, Seed = 3, RefitOnTrainAndValidation = refit })
            .SetTrainValidationSplit(EvaluationData.Binary(ml, 1000, seed: 9), 0.25)
            .SetTestFraction(0.25)
            .Run();
    }

    [Test]
    public void TopFiveConfirmationIsReproducibleWithASeed()
    {
        var first = RunConfirmed(seed: 4);
        var second = RunConfirmed(seed: 4);
        var confirmation = first.Confirmation!;

        Assert.That(first.Study.CompletedCount, Is.EqualTo(8), first.FirstError);
        Assert.That(confirmation.Trials, Has.Count.EqualTo(5));
        Assert.That(confirmation.Best.TrialId, Is.EqualTo(first.BestTrial!.Id), "model choice stays on validation");
        Assert.That(confirmation.Trials.Select(t => t.ValidationMetric), Is.Ordered.Descending);
        Assert.That(confirmation.TestRows, Is.EqualTo(250));
        Assert.That(confirmation.Resamples, Is.EqualTo(1000));
        static object Key(ConfirmedTrial t) => (t.TrialId, t.ValidationMetric, t.TrainOnlyTestMetric, t.TestMetric, t.Optimism);
        Assert.That(second.Confirmation!.Trials.Select(Key), Is.EqualTo(confirmation.Trials.Select(Key)));

        foreach (var trial in confirmation.Trials)
        {
            Assert.That(trial.TestMetric.Low, Is.LessThanOrEqualTo(trial.TestMetric.Value).And.LessThan(trial.TestMetric.High));
            Assert.That(trial.TestMetric.High - trial.TestMetric.Low, Is.InRange(0.01, 0.2), "an AUC interval on 250 rows");
            Assert.That(trial.Optimism, Is.EqualTo(trial.ValidationMetric - trial.TrainOnlyTestMetric.Value).Within(1e-12));
        }
    }

    [Test]
    public void BestModelIsTheRefittedWinnerAndTheTrainOnlyModelIsTheOneValidated()
    {
        var refitted = RunConfirmed(seed: 4);
        var trainOnly = RunConfirmed(seed: 4, refit: false);
        var best = refitted.Confirmation!.Best;

        Assert.That(refitted.Confirmation.RefitOnTrainAndValidation, Is.True);
        Assert.That(trainOnly.Confirmation!.RefitOnTrainAndValidation, Is.False);
        Assert.That(trainOnly.Confirmation.Best.TestMetric, Is.EqualTo(trainOnly.Confirmation.Best.TrainOnlyTestMetric), "without the refit the confirmed model is the validated one");
        Assert.That(best.TrainOnlyTestMetric, Is.EqualTo(trainOnly.Confirmation.Best.TrainOnlyTestMetric));
        Assert.That(best.TestMetric.Value, Is.Not.EqualTo(best.TrainOnlyTestMetric.Value), "the refit on more rows is another model");

        // Score the returned best model on the same test rows the experiment split off (the same seed splits the same way).
        var ml = new MLContext(4);
        var (rest, test) = DataSplitter.HoldOut(EvaluationData.Binary(ml, 1000, seed: 9), 0.25, SplitColumns.None, MLNetTuning.Tuners.SeedMixer.Mix(3, 1_000_001), "test set");
        Assert.That(ml.BinaryClassification.Evaluate(refitted.BestModel!.Transform(test)).AreaUnderRocCurve, Is.EqualTo(best.TestMetric.Value).Within(1e-9));
        Assert.That(rest.GetRowCount(), Is.EqualTo(750));
    }

    [Test]
    public void WithoutTestDataThereIsNoConfirmation()
    {
        var ml = new MLContext(1);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(), options: new() { MaxTrials = 2, Seed = 1 })
            .SetTrainValidationSplit(EvaluationData.Binary(ml, 300, seed: 1))
            .Run();
        Assert.That(result.Confirmation, Is.Null);
        Assert.That(result.BestModel, Is.Not.Null);
    }
}
