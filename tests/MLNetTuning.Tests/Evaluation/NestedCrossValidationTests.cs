using Microsoft.ML;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>Nested cross-validation: every outer fold runs its own study and scores its choice on unseen rows.</summary>
public class NestedCrossValidationTests
{
    [Test]
    public void EachOuterFoldChoosesAndIsScoredOnItsOwnRows()
    {
        var ml = new MLContext(1);
        var tuning = ml.Tuning();
        var pipeline = tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(tuning.BinaryClassification.SdcaLogisticRegression());
        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: new() { MaxTrials = 3, Seed = 2 })
            .SetNestedCrossValidation(EvaluationData.Binary(ml, 600, seed: 3), outerFolds: 3, innerFolds: 2, samplingKeyColumnName: "Group")
            .Run();

        var nested = result.NestedCrossValidation!;
        Assert.That(nested.Folds, Has.Count.EqualTo(3));
        Assert.That(nested.Folds.Sum(f => f.TestRows), Is.EqualTo(600), "the outer folds partition the rows");
        foreach (var fold in nested.Folds)
        {
            Assert.That(fold.TrainRows + fold.TestRows, Is.EqualTo(600));
            Assert.That(fold.Trainer, Is.AnyOf("LbfgsLogisticRegression", "SdcaLogisticRegression"));
            Assert.That(fold.OuterScore, Is.InRange(0.6, 1.0), "the generated rule is learnable");
        }

        Assert.That(nested.Mean, Is.EqualTo(nested.Folds.Average(f => f.OuterScore)).Within(1e-12));
        Assert.That(nested.Low, Is.LessThan(nested.Mean));
        Assert.That(nested.High, Is.GreaterThan(nested.Mean));
        Assert.That(result.Study.CompletedCount, Is.EqualTo(3), "a last study on all rows gives the model");
        Assert.That(result.BestModel, Is.Not.Null);
    }

    [TestCase(1, 12.7062)]
    [TestCase(2, 4.3027)]
    [TestCase(4, 2.7764)]
    [TestCase(9, 2.2622)]
    [TestCase(29, 2.0452)]
    public void StudentQuantileMatchesTheTable(int df, double expected)
    {
        Assert.That(NestedCrossValidationEstimate.StudentQuantile(0.975, df), Is.EqualTo(expected).Within(2e-3));
    }
}
