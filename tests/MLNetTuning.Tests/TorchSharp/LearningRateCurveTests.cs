using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>The learning-rate schedules, as functions of the global step (10 epochs of 4 steps).</summary>
public class LearningRateCurveTests
{
    private const int Steps = 4;

    private static NeuralNetworkRegressionTrainer.Options Options(LearningRateSchedule schedule, int warmup = 0) => new()
    {
        LearningRate = 0.1,
        Schedule = schedule,
        WarmupEpochs = warmup,
        NumberOfEpochs = 10,
        StepDecayEpochs = 3,
        StepDecayFactor = 0.5,
    };

    private static double At(NeuralNetworkOptions options, long step) => LearningRateCurve.At(options, step, Steps);

    [Test]
    public void ConstantStaysAndWarmUpRampsLinearly()
    {
        Assert.That(Enumerable.Range(0, 40).Select(s => At(Options(LearningRateSchedule.Constant), s)), Has.All.EqualTo(0.1));
        var warm = Options(LearningRateSchedule.Constant, warmup: 2);
        Assert.That(Enumerable.Range(0, 9).Select(s => At(warm, s)), Is.EqualTo(new[] { 0.0125, 0.025, 0.0375, 0.05, 0.0625, 0.075, 0.0875, 0.1, 0.1 }).Within(1e-12));
    }

    [Test]
    public void StepHalvesEveryThreeEpochs()
    {
        var options = Options(LearningRateSchedule.Step);
        Assert.That(new[] { 0, 11, 12, 23, 24, 39 }.Select(s => At(options, s)), Is.EqualTo(new[] { 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125 }).Within(1e-12));
    }

    [Test]
    public void CosineFallsFromThePeakTowardsZeroAfterWarmUp()
    {
        var options = Options(LearningRateSchedule.Cosine, warmup: 1);
        var curve = Enumerable.Range(0, 40).Select(s => At(options, s)).ToArray();
        Assert.That(curve[3], Is.EqualTo(0.1).Within(1e-12));
        Assert.That(curve[4], Is.EqualTo(0.1).Within(1e-12));
        Assert.That(curve.Skip(4), Is.Ordered.Descending);
        Assert.That(curve[^1], Is.LessThan(0.001));
    }

    [Test]
    public void OneCycleRisesToThePeakAtThirtyPercentThenAnneals()
    {
        var curve = Enumerable.Range(0, 40).Select(s => At(Options(LearningRateSchedule.OneCycle), s)).ToArray();
        Assert.That(curve[0], Is.EqualTo(0.1 / 25).Within(1e-12));
        Assert.That(curve.Take(12), Is.Ordered.Ascending);
        Assert.That(curve[12], Is.EqualTo(0.1).Within(1e-12));
        Assert.That(curve.Skip(12), Is.Ordered.Descending);
        Assert.That(curve[^1], Is.LessThan(0.002));
    }

    [TestCase(LearningRateSchedule.Cosine)]
    [TestCase(LearningRateSchedule.OneCycle)]
    public void AScheduleOverMoreEpochsMakesAShortRunAPrefixOfTheLongOne(LearningRateSchedule schedule)
    {
        var longRun = Options(schedule);
        longRun.NumberOfEpochs = 30;
        var shortRun = Options(schedule);
        shortRun.ScheduleEpochs = 30;
        var prefix = Enumerable.Range(0, 40).Select(s => At(longRun, s)).ToArray();

        Assert.That(Enumerable.Range(0, 40).Select(s => At(shortRun, s)), Is.EqualTo(prefix).Within(1e-12));
        // Without it the 10-epoch run anneals over its own epochs.
        Assert.That(At(Options(schedule), 39), Is.LessThan(prefix[39] / 10));
    }

    [Test]
    public void AScheduleShorterThanTrainingIsRejected()
    {
        var options = Options(LearningRateSchedule.Cosine);
        options.ScheduleEpochs = 9;
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("ScheduleEpochs = 9 must be at least NumberOfEpochs (10)"));
        options.ScheduleEpochs = 10;
        Assert.That(options.Validate, Throws.Nothing);
    }
}
