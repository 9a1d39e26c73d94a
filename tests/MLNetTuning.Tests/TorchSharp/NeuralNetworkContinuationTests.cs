using System.Globalization;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Pruners;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>
/// Multi-fidelity schedulers over the network preset in an ML.NET experiment: promoted trials and trials fitted
/// level by level continue from a checkpoint, so every epoch of a configuration is trained once.
/// </summary>
public class NeuralNetworkContinuationTests
{
    /// <summary>Tuner budgets [1, 9] with η = 3 are rungs of 1, 3 and 9 epochs.</summary>
    private const int MaxEpochs = 9;

    private static readonly HyperparameterSpace SmallSpace = HyperparameterSpace.CreateBuilder()
        .Int(NeuralNetworkPresets.Units, 4, 16, logScale: true, defaultValue: 8)
        .Double(NeuralNetworkPresets.LearningRate, 1e-3, 3e-2, logScale: true, defaultValue: 1e-2)
        .Double(NeuralNetworkPresets.Dropout, 0, 0.3)
        .Int(NeuralNetworkPresets.Epochs, 1, MaxEpochs)
        .Build();

    [TestCase("asha")]
    [TestCase("hyperband")]
    public void PromotedTrialsTrainOnlyTheEpochsTheirParentDidNot(string scheduler)
    {
        var tuning = new MLContext(seed: 3).Tuning();
        var tuner = scheduler == "asha"
            ? tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs, Mode = AshaMode.Promotion })
            : tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs });
        var (result, fits) = Run(tuner, maxTrials: 13);

        var trials = result.Trials.ToDictionary(t => t.Id);
        var promoted = result.Trials.Where(t => t.ParentTrialId is not null).ToList();
        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        Assert.That(promoted.Select(t => Epochs(t)), Does.Contain(MaxEpochs), "a configuration reached the full budget");
        foreach (var trial in result.Trials)
        {
            var fit = fits.Single(f => f.TrialId == trial.Id);
            var fromEpoch = trial.ParentTrialId is int parent ? Epochs(trials[parent]) : 0;
            Assert.That(fit.ContinuedFromTrial, Is.EqualTo(trial.ParentTrialId), $"trial {trial.Id} resumes its parent's checkpoint");
            Assert.That(fit.StartEpoch, Is.EqualTo(fromEpoch), $"trial {trial.Id}");
            Assert.That(fit.EpochsTrainedInFit, Is.EqualTo(Epochs(trial) - fromEpoch), $"trial {trial.Id} trains budget − parent's budget");
            Assert.That(fit.EpochsTrained, Is.EqualTo(Epochs(trial)), $"trial {trial.Id} ends at its budget");
            Assert.That(trial.Attributes.GetValueOrDefault(TuningExperiment.ContinuedFromAttribute), Is.EqualTo(trial.ParentTrialId?.ToString(CultureInfo.InvariantCulture)));
        }

        var epochsOfWinner = Epochs(result.BestTrial!);
        Assert.That(NetworkOf(result.BestModel).EpochsTrained, Is.EqualTo(epochsOfWinner));
    }

    [TestCase(LearningRateSchedule.Cosine)]
    [TestCase(LearningRateSchedule.OneCycle)]
    public void APromotedTrialEndsWithTheModelOfAnUninterruptedRunOfItsEpochs(LearningRateSchedule schedule)
    {
        // The epochs unit lays the schedule over the budget's maximum, so rungs of 1 and 3 epochs are the start of the
        // 9-epoch curve. Annealed over each trial's own epochs instead, a promotion would restart the curve midway.
        var tuning = new MLContext(seed: 3).Tuning();
        var (result, fits) = Run(tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs }), maxTrials: 13, o => o.Schedule = schedule);
        var (ownEpochs, ownFits) = Run(tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs }), maxTrials: 13, o =>
        {
            o.Schedule = schedule;
            o.ScheduleEpochs = null;
        });

        Assert.That(result.Study.FailedCount + ownEpochs.Study.FailedCount, Is.EqualTo(0), result.FirstError ?? ownEpochs.FirstError);
        var gaps = Gaps(result, fits, schedule);
        Assert.That(gaps, Is.Not.Empty, "a configuration was promoted to the full budget");
        Assert.That(gaps, Is.All.LessThan(1e-4), "promoted value − uninterrupted run's value");
        Assert.That(Gaps(ownEpochs, ownFits, schedule).Max(), Is.GreaterThan(1e-3), "with the schedule over each trial's own epochs, a promotion differs from an uninterrupted run");
    }

    /// <summary>For every promoted full-budget trial: |its value − the value of its configuration trained afresh for the full epochs|.</summary>
    private static List<double> Gaps(TuningExperimentResult result, List<Fit> fits, LearningRateSchedule schedule)
    {
        var ml = new MLContext(seed: 2);
        var split = Split(ml);
        var gaps = new List<double>();
        foreach (var trial in result.Trials.Where(t => t.ParentTrialId is not null && Epochs(t) == MaxEpochs && t.State == TrialState.Completed))
        {
            var options = NeuralNetworkPresets.ApplyParameters(new NeuralNetworkBinaryTrainer.Options(), trial.Parameters.Get<TrialParameters>("NeuralNetwork").With(NeuralNetworkPresets.Epochs, MaxEpochs));
            options.HiddenLayerSizes = [options.HiddenLayerSizes[0]];
            options.Schedule = schedule;
            options.Seed = fits.Single(f => f.TrialId == trial.Id).Seed;
            var uninterrupted = ml.BinaryClassification.Trainers.NeuralNetwork(options).Fit(split.TrainSet);
            var value = ml.BinaryClassification.Evaluate(uninterrupted.Transform(split.TestSet)).LogLoss;
            TestContext.Out.WriteLine($"trial {trial.Id}: promoted {trial.Value:0.000000}, uninterrupted {value:0.000000}");
            gaps.Add(Math.Abs(trial.Value!.Value - value));
        }

        return gaps;
    }

    [Test]
    public void AshaStoppingFitsEachLevelFromThePreviousLevelsModel()
    {
        var tuning = new MLContext(seed: 4).Tuning();
        var (result, fits) = Run(tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs, Mode = AshaMode.Stopping }), maxTrials: 6);

        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        Assert.That(result.Trials.Count(t => t.State == TrialState.Completed), Is.GreaterThan(0));
        Assert.That(result.Trials.Count(t => t.State == TrialState.Pruned), Is.GreaterThan(0), "ASHA stopped someone at a rung");
        foreach (var trial in result.Trials)
        {
            var levels = fits.Where(f => f.TrialId == trial.Id).ToList();
            var reachedSteps = trial.IntermediateValues.Keys.ToList();
            Assert.That(levels.Select(f => f.EpochsTrained), Is.EqualTo(reachedSteps), $"trial {trial.Id}: one fit per reported rung");
            Assert.That(levels.Select(f => f.StartEpoch), Is.EqualTo(reachedSteps.Prepend(0).SkipLast(1)), $"trial {trial.Id}: each level starts where the last ended");
            Assert.That(levels.Skip(1).Select(f => f.ContinuedFromTrial), Is.All.EqualTo(trial.Id));
            Assert.That(levels.Sum(f => f.EpochsTrainedInFit), Is.EqualTo(reachedSteps[^1]), $"trial {trial.Id}: total epochs over the levels = its last level");
            Assert.That(trial.Attributes.ContainsKey(TuningExperiment.ContinuedFromAttribute), Is.False, "continuing its own level is not a continuation of another trial");
        }

        Assert.That(result.Trials.Where(t => t.State == TrialState.Completed).Select(t => fits.Where(f => f.TrialId == t.Id).Sum(f => f.EpochsTrainedInFit)), Is.All.EqualTo(MaxEpochs));
        Assert.That(result.Trials.Where(t => t.State == TrialState.Completed).Select(t => t.IntermediateValues.Keys), Is.All.EqualTo(new[] { 1, 3, MaxEpochs }));
    }

    [Test]
    public void APrunedHyperbandPromotionFitsOnlyTheLevelsAboveItsParent()
    {
        var tuning = new MLContext(seed: 5).Tuning();

        // A pruner that never stops anyone (it waits for 1000 trials) still makes the experiment fit level by level.
        var tuner = tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs }).WithPruner(new MedianPruner(startupTrials: 1000));
        var (result, fits) = Run(tuner, maxTrials: 13);

        var trials = result.Trials.ToDictionary(t => t.Id);
        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        var promoted = result.Trials.Where(t => t.ParentTrialId is not null).ToList();
        Assert.That(promoted.Select(t => Epochs(t)), Does.Contain(MaxEpochs));
        foreach (var trial in result.Trials)
        {
            var levels = fits.Where(f => f.TrialId == trial.Id).ToList();
            var fromEpoch = trial.ParentTrialId is int parent ? Epochs(trials[parent]) : 0;
            Assert.That(levels[0].StartEpoch, Is.EqualTo(fromEpoch), $"trial {trial.Id} starts from its parent's epochs");
            Assert.That(levels.Sum(f => f.EpochsTrainedInFit), Is.EqualTo(Epochs(trial) - fromEpoch), $"trial {trial.Id}: epochs over its levels");
            Assert.That(levels[^1].EpochsTrained, Is.EqualTo(Epochs(trial)));
            Assert.That(trial.IntermediateValues.Keys.Min(), Is.GreaterThan(fromEpoch), "no level at or below the parent's budget is fitted or reported again");
        }
    }

    [Test]
    public void ADivergedNetworkFailsItsTrialWithAClearErrorAndTheStudyGoesOn()
    {
        var ml = new MLContext(seed: 6);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 300, seed: 6), 0.3, seed: 6);
        var tuning = ml.Tuning();
        var builds = 0;

        // Build 1 checks the pipeline against the data; build 3 is trial 1, given a learning rate that makes SGD blow up.
        var network = tuning.BinaryClassification.NeuralNetwork(space: SmallSpace, configure: o =>
        {
            if (Interlocked.Increment(ref builds) == 3)
            {
                o.Optimizer = NeuralNetworkOptimizer.Sgd;
                o.LearningRate = 1e6;
            }
        });
        var result = tuning.CreateExperiment(network.ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = 9, Seed = 7 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = MaxEpochs }))
            .Run();

        var failed = result.Trials.Where(t => t.State == TrialState.Failed).ToList();
        TestContext.Out.WriteLine(string.Join("\n", failed.Select(t => $"trial {t.Id}: {t.Error}")));
        Assert.That(failed.Select(t => t.Id), Is.EqualTo(new[] { 1 }), "only the diverged trial fails");
        Assert.That(failed[0].Error, Does.Contain("Training diverged").And.Contain("Lower the learning rate"));
        Assert.That(result.Trials.Count(t => t.State == TrialState.Completed), Is.EqualTo(8), "the study goes on");
        Assert.That(result.Trials.Select(t => t.ParentTrialId), Does.Not.Contain(1), "a failed trial is never promoted");
    }

    [TestCase("asha")]
    [TestCase("asha-stopping")]
    public void AnInfiniteLogLossFailsItsTrialNamingTheMetricAndTheBudget(string scheduler)
    {
        var ml = new MLContext(seed: 8);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 200, seed: 8), 0.3, seed: 8);
        var tuning = ml.Tuning();

        // A scorer that, for a Certainty above 0.5, gives every row probability 0 or 1 of the wrong class (an
        // overconfident model): its log-loss is infinite. Otherwise it says 0.5 (log-loss 1 bit).
        var scorer = new TunableEstimator("Scorer", HyperparameterSpace.CreateBuilder().Double("Certainty", 0, 1).Build(), (context, parameters) =>
        {
            var certain = parameters.Get<double>("Certainty") > 0.5;
            return context.Transforms.CustomMapping<LabelRow, ScoreRow>((row, score) =>
            {
                score.Probability = certain ? (row.Label ? 0f : 1f) : 0.5f;
                score.Score = certain ? (row.Label ? -100f : 100f) : 0f;
                score.PredictedLabel = score.Probability > 0.5f;
            }, contractName: null);
        });
        var mode = scheduler == "asha" ? AshaMode.Promotion : AshaMode.Stopping;
        var result = tuning.CreateExperiment(scorer.ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = 12, Seed = 9 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Mode = mode }))
            .Run();

        var certain = result.Trials.Where(t => t.Parameters.Get<TrialParameters>("Scorer").Get<double>("Certainty") > 0.5).ToList();
        Assert.That(certain, Is.Not.Empty);
        Assert.That(certain.Select(t => t.State), Is.All.EqualTo(TrialState.Failed));
        Assert.That(certain.Select(t => t.Error), Is.All.Contains("The validation LogLoss is Infinity at Scorer: ").And.All.Contains("the model diverged or predicts certainty"));
        Assert.That(result.Trials.Except(certain).Select(t => t.State), Is.All.EqualTo(TrialState.Completed).Or.EqualTo(TrialState.Pruned));
        Assert.That(result.BestMetric, Is.EqualTo(1).Within(1e-9));
        Assert.That(result.Trials.Select(t => t.ParentTrialId), Is.All.Not.AnyOf(certain.Select(t => (int?)t.Id).ToArray()), "failed trials are never promoted");
    }

    private static NeuralNetworkTransformer NetworkOf(ITransformer model) =>
        (NeuralNetworkTransformer)(model is Microsoft.ML.Data.TransformerChain<ITransformer> chain ? chain.Last() : model);

    private static int Epochs(TuningTrial trial) => (int)Math.Round(trial.Budget ?? throw new InvalidOperationException($"Trial {trial.Id} has no budget."));

    /// <summary>Runs the network preset (epochs = tuner budget) under a tuner, recording every fit of the network.</summary>
    private static (TuningExperimentResult Result, List<Fit> Fits) Run(TunerFactory tuner, int maxTrials, Action<NeuralNetworkOptions>? configure = null)
    {
        var ml = new MLContext(seed: 2);
        var split = Split(ml);
        var tuning = ml.Tuning();
        var preset = tuning.BinaryClassification.NeuralNetwork(space: SmallSpace, configure: o =>
        {
            o.HiddenLayerSizes = [o.HiddenLayerSizes[0]];
            configure?.Invoke(o);
        });
        var fits = new List<Fit>();
        var currentTrial = -1;

        // The preset's own factory and checkpoints; the wrapper only watches what each fit trained.
        var watched = TunableEstimator.Continuable(
            preset.Name,
            preset.Space,
            NeuralNetworkPresets.EpochsUnit,
            (context, parameters, from) => new WatchedEstimator(preset.Build(context, parameters, from), network => fits.Add(new Fit(currentTrial, from?.ParentTrialId, ((NeuralNetworkCheckpoint?)from?.Checkpoint)?.Epoch ?? 0, network.History.Count, network.EpochsTrained, network.Checkpoint.Seed))),
            preset.CheckpointOf).WithBudget("epochs", 1, MaxEpochs);
        var experiment = tuning.CreateExperiment(watched.ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = maxTrials, Seed = 1 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuner);
        experiment.TrialStarted += (_, e) => currentTrial = e.Trial.Id;
        var result = experiment.Run();
        TestContext.Out.WriteLine(string.Join("\n", result.Trials.Select(t => $"trial {t.Id} {t.State} budget {t.Budget} parent {t.ParentTrialId} value {t.Value:0.0000} fits [{string.Join(", ", fits.Where(f => f.TrialId == t.Id).Select(f => $"{f.StartEpoch}→{f.EpochsTrained}"))}]")));
        return (result, fits);
    }

    private static DataOperationsCatalog.TrainTestData Split(MLContext ml) => ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 400, seed: 2), 0.3, seed: 2);

    /// <summary>One Fit of the network: the trial, the checkpoint it resumed (trial and epoch), epochs it trained, epochs in all, weight seed.</summary>
    private sealed record Fit(int TrialId, int? ContinuedFromTrial, int StartEpoch, int EpochsTrainedInFit, int EpochsTrained, int Seed);

    private sealed class LabelRow
    {
        public bool Label { get; set; }
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class WatchedEstimator(IEstimator<ITransformer> inner, Action<NeuralNetworkTransformer> fitted) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            var model = inner.Fit(input);
            fitted((NeuralNetworkTransformer)model);
            return model;
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }
}
