using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Portfolios;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;

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

    [Test]
    public void APortfolioRunsFirstForTheTunedTrainersAndAWarmStartReEvaluatesTheSourceNext()
    {
        var ml = new MLContext(seed: 2);
        var tuning = ml.Tuning();
        var store = new InMemoryTrialStore();
        TuningExperiment Experiment(string name, int trials, IReadOnlyList<PortfolioEntry>? portfolio = null) => tuning.CreateExperiment(
                tuning.MulticlassClassification.LbfgsMaximumEntropy().ToPipeline(tuning.MulticlassClassification.LightGbm()),
                MulticlassTuningMetric.MicroAccuracy,
                options: new() { MaxTrials = trials, Seed = 3, Store = store, StudyName = name, Portfolio = portfolio })
            .SetCrossValidationData(SharedData.Iris(ml), folds: 3);
        Experiment("may", 3).Run();
        var sourceBest = store.Load("may").Where(t => t.State == TrialState.Completed).OrderBy(t => t.Loss).ThenBy(t => t.Id).First();

        var lbfgs = (BranchSelection)Experiment("x", 1).Pipeline.Space.Defaults["trainer"]!;
        var portfolio = new[] { new PortfolioEntry("NoSuchTrainer", TrialParameters.Empty), new PortfolioEntry(lbfgs.Branch, lbfgs.Parameters) };
        var messages = new List<string>();
        var result = Experiment("june", 3, portfolio).WarmStartFrom("may", new WarmStartOptions { TopK = 1, SpreadTrials = 0, Log = messages.Add }).Run();

        var trials = result.Trials.OrderBy(t => t.Id).ToList();
        Assert.That(trials[0].Parameters["trainer"], Is.EqualTo(lbfgs), "the portfolio's entry of a tuned trainer runs first; the unknown trainer is skipped");
        Assert.That(trials[1].Attributes[WarmStart.SourceTrialAttribute], Is.EqualTo($"may/{sourceBest.Id}"));
        Assert.That(trials[1].Parameters, Is.EqualTo(sourceBest.Parameters));
        Assert.That(messages, Has.Some.Contains("Warm start from 'may'"));

        var missing = Experiment("july", 1).WarmStartFrom("april");
        Assert.That(() => missing.Run(), Throws.ArgumentException.With.Message.Contains("'april'"));
    }
}
