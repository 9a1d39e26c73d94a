using Microsoft.ML;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests;

public class SmokeTests
{
    [Test]
    public void BreastCancerRuns()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.BreastCancer(ml);
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(tuning.BinaryClassification.All());
        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 8, Seed = 3 })
            .SetTrainValidationData(split.TrainSet, split.TestSet).Run();
        TestContext.Out.WriteLine(result.FormatLeaderboard());
        foreach (var t in result.Trials) TestContext.Out.WriteLine(t);
        Assert.That(result.BestMetric, Is.GreaterThan(0.95));
    }
}
