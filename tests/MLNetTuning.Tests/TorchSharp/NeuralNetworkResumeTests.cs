using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>Checkpoints, resuming, per-epoch reports and the decisions that stop training.</summary>
public class NeuralNetworkResumeTests
{
    private static NeuralNetworkMulticlassTrainer.Options IrisOptions(NeuralNetworkOptimizer optimizer, int epochs) => new()
    {
        HiddenLayerSizes = [12, 8],
        Optimizer = optimizer,
        Nesterov = optimizer == NeuralNetworkOptimizer.Sgd,
        LearningRate = optimizer == NeuralNetworkOptimizer.Sgd ? 0.05 : 0.01,
        Schedule = LearningRateSchedule.Cosine,
        WarmupEpochs = 1,
        Dropout = 0.2,
        BatchNormalization = true,
        WeightDecay = 1e-3,
        GradientClipNorm = 5,
        ValidationFraction = 0.2,
        BatchSize = 16,
        NumberOfEpochs = epochs,
        Seed = 7,
    };

    [TestCase(NeuralNetworkOptimizer.Adam)]
    [TestCase(NeuralNetworkOptimizer.AdamW)]
    [TestCase(NeuralNetworkOptimizer.Sgd)]
    [TestCase(NeuralNetworkOptimizer.RmsProp)]
    public void StoppedAtEpoch3AndResumedTo6MatchesAnUninterruptedRun(NeuralNetworkOptimizer optimizer)
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);

        var whole = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(optimizer, 6)).Fit(data);
        // Stopped at epoch 3 of a 6-epoch run (as a tuner stops a rung), so the schedule is laid out over 6 epochs.
        var firstOptions = IrisOptions(optimizer, 6);
        firstOptions.OnEpochEnd = report => report.Epoch == 3 ? TrialDecision.Stop : TrialDecision.Continue;
        var first = ml.MulticlassClassification.Trainers.NeuralNetwork(firstOptions).Fit(data);
        using var stream = new MemoryStream();
        first.Checkpoint.Save(stream);
        stream.Position = 0;
        var resumedOptions = IrisOptions(optimizer, 6);
        resumedOptions.InitialCheckpoint = NeuralNetworkCheckpoint.Load(stream);
        var resumed = ml.MulticlassClassification.Trainers.NeuralNetwork(resumedOptions).Fit(data);

        Assert.That(first.EpochsTrained, Is.EqualTo(3));
        Assert.That(resumed.EpochsTrained, Is.EqualTo(6));
        Assert.That(resumed.History.Select(r => r.Epoch), Is.EqualTo(new[] { 4, 5, 6 }));
        var wholeLosses = whole.History.Skip(3).Select(r => r.ValidationLoss!.Value).ToArray();
        Assert.That(resumed.History.Select(r => r.ValidationLoss!.Value), Is.EqualTo(wholeLosses).Within(1e-5));
        Assert.That(Scores(ml, resumed, data), Is.EqualTo(Scores(ml, whole, data)).Within(1e-5));

        // The resumed run really continued: its scores differ from the 3-epoch model's.
        Assert.That(Scores(ml, first, data), Is.Not.EqualTo(Scores(ml, whole, data)).Within(1e-5));
    }

    [TestCase(LearningRateSchedule.Cosine)]
    [TestCase(LearningRateSchedule.OneCycle)]
    public void AShortRunWithTheScheduleOverTheFullEpochsContinuesExactlyIntoTheFullRun(LearningRateSchedule schedule)
    {
        // What a multi-fidelity promotion does: a finished 2-epoch trial is continued to 6 epochs.
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        NeuralNetworkMulticlassTrainer.Options Options(int epochs, int? scheduleEpochs)
        {
            var options = IrisOptions(NeuralNetworkOptimizer.Adam, epochs);
            options.Schedule = schedule;
            options.ScheduleEpochs = scheduleEpochs;
            return options;
        }

        var whole = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(6, null)).Fit(data);
        var rung = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(2, 6)).Fit(data);
        var promotion = Options(6, 6);
        promotion.InitialCheckpoint = rung.Checkpoint;
        var promoted = ml.MulticlassClassification.Trainers.NeuralNetwork(promotion).Fit(data);
        var ownSchedule = Options(6, null);
        ownSchedule.InitialCheckpoint = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(2, null)).Fit(data).Checkpoint;
        var restarted = ml.MulticlassClassification.Trainers.NeuralNetwork(ownSchedule).Fit(data);

        Assert.That(promoted.History.Select(r => r.Epoch), Is.EqualTo(new[] { 3, 4, 5, 6 }));
        Assert.That(promoted.History.Select(r => r.ValidationLoss!.Value), Is.EqualTo(whole.History.Skip(2).Select(r => r.ValidationLoss!.Value)).Within(1e-5));
        Assert.That(Scores(ml, promoted, data), Is.EqualTo(Scores(ml, whole, data)).Within(1e-5));
        // A 2-epoch run annealed over its own epochs does not continue into the same model.
        Assert.That(Scores(ml, restarted, data), Is.Not.EqualTo(Scores(ml, whole, data)).Within(1e-5));
    }

    [Test]
    public void ACheckpointTakenDuringAnEpochReportResumesLikeTheFinalOne()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        NeuralNetworkCheckpoint? atEpoch2 = null;
        var options = IrisOptions(NeuralNetworkOptimizer.Adam, 4);
        options.OnEpochEnd = report =>
        {
            if (report.Epoch == 2)
            {
                atEpoch2 = report.CreateCheckpoint();
            }

            return TrialDecision.Continue;
        };
        var whole = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data);

        var resumedOptions = IrisOptions(NeuralNetworkOptimizer.Adam, 4);
        resumedOptions.InitialCheckpoint = atEpoch2;
        var resumed = ml.MulticlassClassification.Trainers.NeuralNetwork(resumedOptions).Fit(data);

        Assert.That(atEpoch2!.Epoch, Is.EqualTo(2));
        Assert.That(Scores(ml, resumed, data), Is.EqualTo(Scores(ml, whole, data)).Within(1e-5));
    }

    [Test]
    public void ACallbackStopDecisionEndsTrainingAtThatEpoch()
    {
        var ml = new MLContext(seed: 1);
        var reported = new List<EpochReport>();
        var options = IrisOptions(NeuralNetworkOptimizer.Adam, 20);
        options.OnEpochEnd = report =>
        {
            reported.Add(report);
            return report.Epoch == 3 ? TrialDecision.Stop : TrialDecision.Continue;
        };

        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(SharedData.Iris(ml));

        Assert.That(model.EpochsTrained, Is.EqualTo(3));
        Assert.That(model.StopReason, Is.EqualTo(TrainingStopReason.Callback));
        Assert.That(reported.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(reported.All(r => r.ValidationLoss is > 0 && double.IsFinite(r.TrainingLoss)), Is.True);
    }

    [Test]
    public void EarlyStoppingEndsTrainingOncePatienceRunsOut()
    {
        var ml = new MLContext(seed: 1);
        var options = IrisOptions(NeuralNetworkOptimizer.Adam, 300);
        options.LearningRate = 0.05;
        options.Schedule = LearningRateSchedule.Constant;
        options.EarlyStoppingPatience = 3;

        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(SharedData.Iris(ml));

        Assert.That(model.StopReason, Is.EqualTo(TrainingStopReason.EarlyStopping));
        Assert.That(model.EpochsTrained, Is.LessThan(300));
        var losses = model.History.Select(r => r.Loss).ToList();
        var bestBefore = losses.Take(losses.Count - 3).Min();
        Assert.That(losses.TakeLast(3), Has.All.GreaterThanOrEqualTo(bestBefore));
    }

    [Test]
    public void SameSeedGivesIdenticalModelsAndAnotherSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var a = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Adam, 3)).Fit(data);
        var b = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Adam, 3)).Fit(data);
        var other = IrisOptions(NeuralNetworkOptimizer.Adam, 3);
        other.Seed = 8;
        var c = ml.MulticlassClassification.Trainers.NeuralNetwork(other).Fit(data);

        Assert.That(Scores(ml, a, data), Is.EqualTo(Scores(ml, b, data)));
        Assert.That(Scores(ml, c, data), Is.Not.EqualTo(Scores(ml, a, data)).Within(1e-5));
    }

    [Test]
    public void ResumingWithAnotherArchitectureIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var first = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Adam, 1)).Fit(data);
        var options = IrisOptions(NeuralNetworkOptimizer.Adam, 2);
        options.HiddenLayerSizes = [5];
        options.InitialCheckpoint = first.Checkpoint;

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data));
        Assert.That(error!.Message, Does.Contain("architecture"));
        Assert.That(error.ParamName, Is.EqualTo("InitialCheckpoint"));
    }

    [Test]
    public void ResumingWithAnotherOptimizerKindIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var first = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Adam, 1)).Fit(data);
        var options = IrisOptions(NeuralNetworkOptimizer.RmsProp, 2);
        options.InitialCheckpoint = first.Checkpoint;

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data));
        Assert.That(error!.Message, Does.Contain("optimizer is Adam").And.Contain("RmsProp"));
        Assert.That(error.ParamName, Is.EqualTo("InitialCheckpoint"));
    }

    [TestCase(NeuralNetworkOptimizer.AdamW)]
    [TestCase(NeuralNetworkOptimizer.Sgd)]
    public void ResumingWithANewWeightDecayTrainsWithTheNewValue(NeuralNetworkOptimizer optimizer)
    {
        const double oldDecay = 1e-3, newDecay = 0.5;
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        NeuralNetworkMulticlassTrainer.Options Options(double decay, NeuralNetworkCheckpoint? from, int stopAt = 4)
        {
            var options = IrisOptions(optimizer, 4);
            options.BatchNormalization = false;
            options.WeightDecay = decay;
            options.InitialCheckpoint = from;
            options.OnEpochEnd = report => report.Epoch == stopAt ? TrialDecision.Stop : TrialDecision.Continue;
            return options;
        }

        NeuralNetworkTransformer Fit(NeuralNetworkMulticlassTrainer.Options options) => ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data);
        var atEpoch2 = Fit(Options(oldDecay, null, stopAt: 2)).Checkpoint;

        var keptDecay = Fit(Options(oldDecay, atEpoch2));
        var newDecayRun = Fit(Options(newDecay, atEpoch2));
        // The same two epochs in two resumed steps: the checkpoint taken at epoch 3 carries the new value on.
        var atEpoch3 = Fit(Options(newDecay, atEpoch2, stopAt: 3)).Checkpoint;
        var inTwoSteps = Fit(Options(newDecay, atEpoch3));

        Assert.That(Scores(ml, newDecayRun, data), Is.Not.EqualTo(Scores(ml, keptDecay, data)).Within(1e-4));
        Assert.That(Scores(ml, inTwoSteps, data), Is.EqualTo(Scores(ml, newDecayRun, data)).Within(1e-5));
        Assert.That(newDecayRun.Checkpoint.OptimizerSettings.WeightDecay, Is.EqualTo(newDecay));
        // A 500 times stronger decay over the two resumed epochs shrinks the weights: the new value is the one applied.
        Assert.That(WeightNorm(newDecayRun.Checkpoint), Is.LessThan(WeightNorm(keptDecay.Checkpoint)));
    }

    [Test]
    public void ResumingWithANewMomentumChangesTheUpdates()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var first = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Sgd, 2)).Fit(data);
        NeuralNetworkTransformer Resume(double momentum)
        {
            var options = IrisOptions(NeuralNetworkOptimizer.Sgd, 4);
            options.Momentum = momentum;
            options.InitialCheckpoint = first.Checkpoint;
            return ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(data);
        }

        var kept = Resume(0.9);
        var changed = Resume(0.5);

        Assert.That(Scores(ml, changed, data), Is.Not.EqualTo(Scores(ml, kept, data)).Within(1e-4));
        Assert.That(changed.Checkpoint.OptimizerSettings.Momentum, Is.EqualTo(0.5));
    }

    private static double WeightNorm(NeuralNetworkCheckpoint checkpoint) => checkpoint.Tensors
        .Where(t => t.Name.EndsWith("weight", StringComparison.Ordinal))
        .SelectMany(t => t.AsSingles())
        .Sum(w => (double)w * w);

    [Test]
    public void ACheckpointFileRoundTripsAndAForeignFileIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(IrisOptions(NeuralNetworkOptimizer.Sgd, 1)).Fit(SharedData.Iris(ml));
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"nn-{Guid.NewGuid():N}.ckpt");
        try
        {
            model.Checkpoint.Save(path);
            var loaded = NeuralNetworkCheckpoint.Load(path);
            Assert.That((loaded.Epoch, loaded.Seed, loaded.Optimizer, loaded.InputSize, loaded.OutputSize), Is.EqualTo((1, 7, NeuralNetworkOptimizer.Sgd, 4, 3)));

            File.WriteAllText(path, "not a checkpoint");
            Assert.Throws<InvalidDataException>(() => NeuralNetworkCheckpoint.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static float[] Scores(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).SelectMany(r => r.Score).ToArray();

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
