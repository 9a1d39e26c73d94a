using MLNetTuning.Cli.Running;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Cli;

/// <summary>The time kept for the wrap-up comes out of the training deadline, from the costs measured in the run.</summary>
public class WrapUpReserveTests
{
    [Test]
    public void MeasuredCostsComeOutOfTheStudysTimeBudget()
    {
        var limits = new StudyLimits { TimeBudget = TimeSpan.FromSeconds(60) };
        using var reserve = new WrapUpReserve(TimeSpan.FromSeconds(60), testRows: 8000, limits);
        Assert.That(reserve.Reserve, Is.EqualTo(TimeSpan.Zero), "nothing measured yet");

        // 2,000 validation rows in 0.5 s: 8,000 test rows take 2 s to score, and as long again to read and bootstrap.
        reserve.BestScored(2000, TimeSpan.FromSeconds(0.5));
        reserve.Saved(TimeSpan.FromSeconds(1));
        reserve.ReportBuilt(TimeSpan.FromSeconds(0.5));

        Assert.That(reserve.Reserve.TotalSeconds, Is.EqualTo(4 + 1 + 0.5).Within(1e-9));
        Assert.That(limits.TimeBudget!.Value.TotalSeconds, Is.EqualTo(60 - 5.5).Within(1e-9));
        Assert.That(reserve.TrainingEnd.IsCancellationRequested, Is.False);

        // A faster best model: the reserve follows the latest measurement.
        reserve.BestScored(2000, TimeSpan.FromSeconds(0.25));
        Assert.That(limits.TimeBudget!.Value.TotalSeconds, Is.EqualTo(60 - 3.5).Within(1e-9));
    }

    [Test]
    public void TrainingKeepsAtLeastHalfTheBudget()
    {
        var limits = new StudyLimits { TimeBudget = TimeSpan.FromSeconds(60) };
        using var reserve = new WrapUpReserve(TimeSpan.FromSeconds(60), testRows: 1_000_000, limits);

        reserve.BestScored(100, TimeSpan.FromSeconds(10));

        Assert.That(reserve.Reserve, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(limits.TimeBudget, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void AReserveLargerThanTheTimeLeftEndsTrainingAtOnce()
    {
        var limits = new StudyLimits { TimeBudget = TimeSpan.FromMilliseconds(100) };
        using var reserve = new WrapUpReserve(TimeSpan.FromMilliseconds(100), testRows: 1000, limits);
        Thread.Sleep(80);

        // Capped at half the budget, the reserve still leaves training only the 50 ms already gone.
        reserve.ReportBuilt(TimeSpan.FromSeconds(1));

        Assert.That(reserve.TrainingEnd.IsCancellationRequested, Is.True);
        Assert.That(limits.TimeBudget, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
    }

    [Test]
    public void WithoutATimeBudgetNothingIsReserved()
    {
        var limits = new StudyLimits { MaxTrials = 5 };
        using var reserve = new WrapUpReserve(null, testRows: 8000, limits);

        reserve.BestScored(2000, TimeSpan.FromSeconds(1));

        Assert.That(reserve.Reserve, Is.EqualTo(TimeSpan.Zero));
        Assert.That(limits.TimeBudget, Is.Null);
        Assert.That(reserve.TrainingEnd.CanBeCanceled && !reserve.TrainingEnd.IsCancellationRequested, Is.True);
    }
}
