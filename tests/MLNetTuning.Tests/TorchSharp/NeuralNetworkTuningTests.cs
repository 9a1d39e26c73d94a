using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>The network inside tuning: a trainer choice beside FastTree, and epoch reports feeding a tuner's decisions.</summary>
public class NeuralNetworkTuningTests
{
    /// <summary>The preset's space shrunk to small networks and few epochs, to keep CI fast.</summary>
    private static readonly HyperparameterSpace SmallSpace = HyperparameterSpace.CreateBuilder()
        .Int(NeuralNetworkPresets.HiddenLayers, 1, 2)
        .Int(NeuralNetworkPresets.Units, 8, 32, logScale: true)
        .Enum<NeuralNetworkActivation>(NeuralNetworkPresets.Activation)
        .Double(NeuralNetworkPresets.Dropout, 0, 0.3)
        .Enum<NeuralNetworkOptimizer>(NeuralNetworkPresets.Optimizer, NeuralNetworkOptimizer.Adam)
        .Double(NeuralNetworkPresets.LearningRate, 1e-3, 3e-2, logScale: true, defaultValue: 1e-2)
        .Enum<LearningRateSchedule>(NeuralNetworkPresets.Schedule)
        .Choice(NeuralNetworkPresets.BatchSize, new[] { 16, 32, 64 }, 32)
        .Int(NeuralNetworkPresets.Epochs, 3, 8, defaultValue: 5)
        .Build();

    [Test]
    public void APipelineChoosingBetweenFastTreeAndTheNetworkTunesBreastCancer()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = new TunablePipeline().Append(
            tuning.BinaryClassification.FastTree(),
            tuning.BinaryClassification.NeuralNetwork(space: SmallSpace, configure: o => o.GradientClipNorm = 10));

        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 6, Seed = 5 })
            .SetTrainValidationData(split.TrainSet, split.TestSet).Run();
        TestContext.Out.WriteLine(result.FormatLeaderboard());

        var networkTrials = result.Trials.Where(t => pipeline.DescribeChoice(t.Parameters) == "NeuralNetwork").ToList();
        Assert.That(networkTrials, Is.Not.Empty, "the random tuner picked the network at least once in 6 trials");
        Assert.That(result.Trials.Where(t => t.State == TrialState.Failed).Select(t => t.Error), Is.Empty);
        TestContext.Out.WriteLine($"measured: best network AUC {networkTrials.Max(t => t.Value):F4}");
        Assert.That(networkTrials.Max(t => t.Value), Is.GreaterThan(0.97), "measured 0.9909");
        Assert.That(result.BestModel, Is.Not.Null);
    }

    [Test]
    public void TheDefaultSpaceDecodesToValidOptionsEverywhere()
    {
        var space = NeuralNetworkPresets.DefaultSpace;
        var tuner = new RandomTuner(space, null, 3);
        for (var i = 0; i < 200; i++)
        {
            var options = NeuralNetworkPresets.ApplyParameters(new NeuralNetworkRegressionTrainer.Options(), tuner.Propose(i).Parameters);
            Assert.DoesNotThrow(options.Validate);
            Assert.That(options.HiddenLayerSizes.Count, Is.InRange(1, 3));
            Assert.That(options.NumberOfEpochs, Is.InRange(5, 100));
        }

        var defaults = NeuralNetworkPresets.ApplyParameters(new NeuralNetworkRegressionTrainer.Options(), space.Defaults);
        Assert.That((defaults.HiddenLayerSizes, defaults.LearningRate, defaults.BatchSize, defaults.NumberOfEpochs), Is.EqualTo((new[] { 64, 64 }, 1e-3, 32, 20)));
    }

    [Test]
    public void EpochReportsReachTheTunerAndItsStopDecisionPrunesTheTrial()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var study = ml.Tuning().CreateStudy(SmallSpace, new TunerFactory("stop-at-2", (space, seed) => new StopAtStepTuner(new RandomTuner(space, null, seed), 2)));
        var epochs = new List<int>();

        study.Optimize(
            context =>
            {
                var options = NeuralNetworkPresets.ApplyParameters(new NeuralNetworkMulticlassTrainer.Options { ValidationFraction = 0.2 }, context.Parameters);
                options.NumberOfEpochs = 6;
                options.OnEpochEnd = report => context.Report(report.Epoch, report.Loss);
                var model = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data);
                epochs.Add(model.EpochsTrained);
                return model.History[^1].Loss;
            },
            new StudyLimits { MaxTrials = 2 });

        Assert.That(epochs, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(study.Trials.Select(t => t.State), Has.All.EqualTo(TrialState.Pruned));
        Assert.That(study.Trials.Select(t => t.IntermediateValues.Count), Has.All.EqualTo(2));
    }

    /// <summary>A tuner that tells every trial to stop at a given step (what a successive-halving rung does).</summary>
    private sealed class StopAtStepTuner(IHyperparameterTuner inner, int step) : IHyperparameterTuner
    {
        public HyperparameterSpace Space => inner.Space;

        public bool IsFinished => inner.IsFinished;

        public TrialProposal? Propose(int trialId) => inner.Propose(trialId);

        public TrialDecision Report(TuningTrial trial, int reportedStep, double loss) => reportedStep >= step ? TrialDecision.Stop : TrialDecision.Continue;

        public void Complete(TuningTrial trial) => inner.Complete(trial);
    }
}
