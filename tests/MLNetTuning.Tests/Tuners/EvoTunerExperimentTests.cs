using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

/// <summary>The evolutionary tuners drive an ML.NET experiment with a choice of trainers (a conditional space).</summary>
public class EvoTunerExperimentTests
{
    private static TuningExperimentResult RunIris(Func<TuningCatalog, TunerFactory> tuner)
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(tuning.MulticlassClassification.LbfgsMaximumEntropy(), tuning.MulticlassClassification.SdcaMaximumEntropy());
        return tuning.CreateExperiment(pipeline, MulticlassTuningMetric.MacroAccuracy, options: new() { MaxTrials = 8, ParallelTrials = 2, Seed = 3 })
            .SetTuner(tuner(tuning))
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .Run();
    }

    [Test]
    public void CmaEsTunesAnIrisExperiment()
    {
        var result = RunIris(tuning => tuning.Tuners.CmaEs());
        TestContext.Out.WriteLine(result.FormatLeaderboard());
        Assert.That(result.Trials, Has.Count.EqualTo(8));
        Assert.That(result.BestMetric, Is.GreaterThan(0.95), "measured 0.9825");
    }

    [Test]
    public void GeneticTunesAnIrisExperiment()
    {
        var result = RunIris(tuning => tuning.Tuners.Genetic());
        TestContext.Out.WriteLine(result.FormatLeaderboard());
        Assert.That(result.Trials, Has.Count.EqualTo(8));
        Assert.That(result.BestMetric, Is.GreaterThan(0.95), "measured 0.9825");
    }
}
