using Microsoft.ML;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Transfer;

public class ExperimentEnqueueTests
{
    [Test]
    public void AnEnqueuedPipelinePointRunsFirstAndExactly()
    {
        var ml = new MLContext(seed: 2);
        var tuning = ml.Tuning();
        var pipeline = tuning.MulticlassClassification.LbfgsMaximumEntropy().ToPipeline(tuning.MulticlassClassification.LightGbm());
        var experiment = tuning.CreateExperiment(pipeline, MulticlassTuningMetric.MicroAccuracy, options: new() { MaxTrials = 2, Seed = 3 })
            .SetCrossValidationData(SharedData.Iris(ml), folds: 3);
        var point = experiment.Pipeline.Space.Defaults;
        experiment.Enqueue(point);

        var result = experiment.Run();

        var first = result.Trials.MinBy(t => t.Id)!;
        Assert.That(first.Parameters, Is.EqualTo(point));
        Assert.That(first.Attributes["enqueued"], Is.EqualTo("full"));
        Assert.That(result.Study.CompletedCount, Is.EqualTo(2), result.FirstError);

        var error = Assert.Throws<ArgumentException>(() => experiment.Enqueue(new Dictionary<string, object?> { ["no_such_option"] = 1 }))!;
        Assert.That(error.Message, Does.Contain("'no_such_option'"));
    }
}
