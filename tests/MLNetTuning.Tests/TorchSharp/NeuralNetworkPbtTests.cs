using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>Population-based training of the neural-network preset from an ML.NET experiment.</summary>
public class NeuralNetworkPbtTests
{
    private const int Population = 4;
    private const int Interval = 2;
    private const int Epochs = 6;

    /// <summary>What PBT perturbs; the architecture is fixed by <see cref="FixedArchitecture"/>.</summary>
    private static readonly HyperparameterSpace PbtSpace = HyperparameterSpace.CreateBuilder()
        .Double(NeuralNetworkPresets.LearningRate, 1e-3, 0.1, logScale: true, defaultValue: 1e-2)
        .Double(NeuralNetworkPresets.WeightDecay, 1e-6, 1e-2, logScale: true, defaultValue: 1e-4)
        .Double(NeuralNetworkPresets.Dropout, 0, 0.3, defaultValue: 0)
        .Choice(NeuralNetworkPresets.BatchSize, new[] { 16, 32, 64 }, 32)
        .Build();

    private static void FixedArchitecture(NeuralNetworkOptions options)
    {
        options.HiddenLayerSizes = [16, 16];
        options.Optimizer = NeuralNetworkOptimizer.AdamW;
    }

    [Test]
    public void PbtTunesTheNetworkAndTheWinnersScheduleReplays()
    {
        var ml = new MLContext(seed: 5);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 500, seed: 5), 0.3, seed: 5);
        var tuning = ml.Tuning();
        PbtTuner? tuner = null;
        var pbt = tuning.Tuners.Pbt(new PbtTunerOptions { PopulationSize = Population, PerturbationInterval = Interval, MaxBudget = Epochs });
        var experiment = tuning.CreateExperiment(tuning.BinaryClassification.NeuralNetwork(space: PbtSpace, configure: FixedArchitecture).ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = null, Seed = 6 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(new TunerFactory("pbt", (space, seed) => tuner = (PbtTuner)pbt.Create(space, seed)));
        var completed = new List<int>();
        var peakCheckpoints = 0;
        experiment.TrialCompleted += (_, e) =>
        {
            // The experiment keeps every completed trial's checkpoint until the tuner releases it.
            completed.Add(e.Trial.Id);
            peakCheckpoints = Math.Max(peakCheckpoints, completed.Except(tuner!.ReleasedCheckpointTrialIds).Count());
        };

        var result = experiment.Run();

        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        Assert.That(result.Trials.Where(t => t.Budget == Epochs).Select(t => t.Attributes[PbtTuner.MemberAttribute]).Distinct().Count(), Is.EqualTo(Population));
        Assert.That(result.Trials.Where(t => t.ParentTrialId is not null).Select(t => t.Attributes["budget"]), Is.All.Contains("epochs"));
        Assert.That(result.Trials.Count(t => t.Attributes[PbtTuner.NoteAttribute].StartsWith("exploit", StringComparison.Ordinal)), Is.GreaterThan(0));
        Assert.That(peakCheckpoints, Is.LessThanOrEqualTo((2 * Population) + 1), "released checkpoints are dropped");
        Assert.That(completed.Count, Is.GreaterThan((2 * Population) + 1), "the bound is below the number of trials");

        var winner = result.Trials.Where(t => t.Budget == Epochs).MinBy(t => t.Value)!;
        var lineage = PbtLineage.Of(result.Trials, winner.Id);
        TestContext.Out.WriteLine(lineage.Format());
        Assert.That(lineage.Segments[0].StartBudget, Is.EqualTo(0));
        Assert.That(lineage.Segments[^1].EndBudget, Is.EqualTo(Epochs));
        Assert.That(lineage.Segments.Zip(lineage.Segments.Skip(1)).All(p => p.First.EndBudget == p.Second.StartBudget), Is.True);

        // A fresh network trained along the winner's schedule (same seeds) reaches the winner's log-loss.
        var (model, value) = experiment.ReplaySchedule(lineage);
        Assert.That(value, Is.EqualTo(winner.Value!.Value).Within(1e-4));
        Assert.That(((NeuralNetworkTransformer)((Microsoft.ML.Data.TransformerChain<ITransformer>)model).Last()).EpochsTrained, Is.EqualTo(Epochs));

        // A schedule that changes hyperparameters mid-training (an exploit copied a donor and perturbed it) replays too.
        var perturbed = result.Trials.Where(t => t.Budget == Epochs)
            .Select(t => (Trial: t, Lineage: PbtLineage.Of(result.Trials, t.Id)))
            .First(m => m.Lineage.Segments.Any(s => s.Note.StartsWith("exploit", StringComparison.Ordinal)));
        TestContext.Out.WriteLine(perturbed.Lineage.Format());
        Assert.That(perturbed.Lineage.Segments.Select(s => s.Parameters).Distinct().Count(), Is.GreaterThan(1));
        Assert.That(experiment.ReplaySchedule(perturbed.Lineage).Value, Is.EqualTo(perturbed.Trial.Value!.Value).Within(1e-4));
    }

    [Test]
    public void AMemberWhoseTrialFailsIsReplacedAndTheStudyGoesOn()
    {
        var ml = new MLContext(seed: 7);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 300, seed: 7), 0.3, seed: 7);
        var tuning = ml.Tuning();
        var builds = 0;
        void CrashTheSeventhTrial(NeuralNetworkOptions options)
        {
            FixedArchitecture(options);
            if (Interlocked.Increment(ref builds) == 7)
            {
                options.OnEpochEnd = _ => throw new InvalidOperationException("simulated crash");
            }
        }

        var result = tuning.CreateExperiment(tuning.BinaryClassification.NeuralNetwork(space: PbtSpace, configure: CrashTheSeventhTrial).ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = null, Seed = 8 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Pbt(new PbtTunerOptions { PopulationSize = Population, PerturbationInterval = Interval, MaxBudget = Epochs }))
            .Run();

        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(result.Study.FailedCount, Is.EqualTo(1));
        var failed = result.Trials.Single(t => t.State == TrialState.Failed);
        Assert.That(failed.Error, Does.Contain("simulated crash"));
        var member = failed.Attributes[PbtTuner.MemberAttribute];
        var replacement = result.Trials.First(t => t.Id > failed.Id && t.Attributes[PbtTuner.MemberAttribute] == member);
        Assert.That(replacement.Attributes[PbtTuner.NoteAttribute], Does.StartWith("replaces a failed member"));
        Assert.That(result.Trials.Count(t => t.Budget == Epochs && t.State == TrialState.Completed), Is.EqualTo(Population), "every member reaches the end");
        Assert.That(result.BestModel, Is.Not.Null);
    }
}
