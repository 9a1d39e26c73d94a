using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Studies;

/// <summary>A time budget changed while the study runs moves the run's deadline (the CLI shortens it to keep time
/// for its wrap-up).</summary>
public class TimeBudgetChangeTests
{
    private static TuningStudy NewStudy() =>
        new(new RandomTuner(HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Build(), new RandomTunerOptions { Seed = 1 }));

    [Test]
    public async Task ShorteningTheBudgetDuringTheRunCancelsTheRunningTrialAndStopsTheStudy()
    {
        var limits = new StudyLimits { TimeBudget = TimeSpan.FromHours(1), MaxTrials = 100 };
        var result = await NewStudy().OptimizeAsync(
            async (c, token) =>
            {
                if (c.Trial.Id == 1)
                {
                    // The budget is now already used: the deadline fires at once, and this trial never ends on its own.
                    limits.TimeBudget = TimeSpan.FromMilliseconds(1);
                    await Task.Delay(Timeout.Infinite, token);
                }

                return c.Trial.Id;
            },
            limits);

        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
        Assert.That(result.Trials, Has.Count.EqualTo(2), "no trial starts after the shortened budget");
        Assert.That(result.Trials[0].State, Is.EqualTo(TrialState.Completed));
        Assert.That(result.Trials[1].Error, Does.Contain("time budget ran out"));
    }

    [Test]
    public async Task LengtheningTheBudgetLetsTheRunGoOn()
    {
        var limits = new StudyLimits { TimeBudget = TimeSpan.FromMilliseconds(300), MaxTrials = 3 };
        var result = await NewStudy().OptimizeAsync(
            async (c, token) =>
            {
                if (c.Trial.Id == 0)
                {
                    limits.TimeBudget = TimeSpan.FromHours(1);
                    await Task.Delay(600, token);
                }

                return c.Trial.Id;
            },
            limits);

        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.MaxTrials), "the first budget's end passed without stopping the run");
        Assert.That(result.Trials.All(t => t.State == TrialState.Completed), Is.True);
    }
}
