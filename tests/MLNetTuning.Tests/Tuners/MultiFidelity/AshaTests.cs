using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

public class AshaTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();

    private static TuningTrial Start(AshaTuner tuner, int id)
    {
        var proposal = tuner.Propose(id);
        var trial = new TuningTrial(id, proposal.Parameters, proposal.Budget, proposal.ParentTrialId);
        trial.Restore(TrialState.Running, null, null, null, null, attributes: proposal.Attributes);
        return trial;
    }

    private static void Finish(AshaTuner tuner, TuningTrial trial, double loss)
    {
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
        tuner.Complete(trial);
    }

    [Test]
    public void RungBudgetsAreGeometricUpToTheMaximum()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 27 });

        Assert.That(tuner.RungBudgets, Is.EqualTo(new[] { 1.0, 3.0, 9.0, 27.0 }));
    }

    [Test]
    public void PromotesTheBestOfEachFullThirdWithoutWaiting()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 1 });
        var t0 = Start(tuner, 0);
        var t1 = Start(tuner, 1);
        var t2 = Start(tuner, 2);

        // Nothing has finished, yet a proposal comes at once: a new configuration at rung 0.
        var t3 = Start(tuner, 3);
        Assert.That((t3.Budget, t3.ParentTrialId, t3.Attributes["rung"]), Is.EqualTo(((double?)1.0, (int?)null, "0")));

        Finish(tuner, t0, 0.5);
        Finish(tuner, t1, 0.2);
        var t4 = Start(tuner, 4);
        Assert.That(t4.ParentTrialId, Is.Null, "2 results at rung 0: ⌊2/3⌋ = 0 may be promoted");

        Finish(tuner, t2, 0.9);
        var t5 = Start(tuner, 5);
        Assert.Multiple(() =>
        {
            Assert.That(t5.ParentTrialId, Is.EqualTo(1), "3 results: the best (trial 1) goes up");
            Assert.That(t5.Budget, Is.EqualTo(3.0));
            Assert.That(t5.Parameters, Is.EqualTo(t1.Parameters));
            Assert.That(t5.Attributes["rung"], Is.EqualTo("1"));
        });

        var t6 = Start(tuner, 6);
        Assert.That(t6.ParentTrialId, Is.Null, "trial 1 is promoted already; trial 0 is not in the top third");

        Finish(tuner, t3, 0.1);
        Finish(tuner, t4, 0.3);
        Finish(tuner, t6, 0.8);
        var t7 = Start(tuner, 7);
        Assert.That(t7.ParentTrialId, Is.EqualTo(3), "6 results at rung 0: the top 2 are trials 3 and 1, and 1 went up already");

        Finish(tuner, t5, 0.05);
        Finish(tuner, t7, 0.04);
        var newAtRung0 = Start(tuner, 8);
        Assert.That(newAtRung0.ParentTrialId, Is.Null, "2 results at rung 1 promote none; rung 0's top 2 are promoted");

        Finish(tuner, newAtRung0, 0.7);
        Finish(tuner, Start(tuner, 9), 0.01);
        var t10 = Start(tuner, 10);
        Assert.That(t10.ParentTrialId, Is.EqualTo(9), "8 results at rung 0: the top 2 are 9 and 3, and 3 went up already");

        Finish(tuner, t10, 0.03);
        var t11 = Start(tuner, 11);
        Assert.Multiple(() =>
        {
            Assert.That(t11.ParentTrialId, Is.EqualTo(10), "rung 1 has 3 results now: its best goes to rung 2 before anything else");
            Assert.That(t11.Budget, Is.EqualTo(9.0));
            Assert.That(t11.Attributes["rung"], Is.EqualTo("2"));
        });
    }

    [Test]
    public void PromotionsComeFromTheHighestRungFirst()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 1 });
        var rung0 = Enumerable.Range(0, 9).Select(i => Start(tuner, i)).ToList();
        for (var i = 0; i < 9; i++)
        {
            Finish(tuner, rung0[i], i);
        }

        var promoted = Enumerable.Range(9, 3).Select(i => Start(tuner, i)).ToList();
        Assert.That(promoted.Select(t => t.ParentTrialId), Is.EqualTo(new int?[] { 0, 1, 2 }));
        Finish(tuner, promoted[0], 3);
        Finish(tuner, promoted[1], 1);
        Finish(tuner, promoted[2], 2);

        var top = Start(tuner, 12);
        Assert.Multiple(() =>
        {
            Assert.That(top.Budget, Is.EqualTo(9.0));
            Assert.That(top.ParentTrialId, Is.EqualTo(10));
            Assert.That(top.Attributes["rung"], Is.EqualTo("2"));
        });
    }

    [Test]
    public void StoppingModeStopsATrialOutsideTheTopThirdOfARung()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Mode = AshaMode.Stopping });
        var a = Start(tuner, 0);
        var b = Start(tuner, 1);
        var c = Start(tuner, 2);

        Assert.Multiple(() =>
        {
            Assert.That(a.Budget, Is.EqualTo(9.0), "the stopping mode trains every trial towards the full budget");
            Assert.That(tuner.Report(a, 1, 0.5), Is.EqualTo(TrialDecision.Continue), "the first at a rung always goes on");
            Assert.That(tuner.Report(a, 2, 0.45), Is.EqualTo(TrialDecision.Continue), "no rung at step 2");

            // Rung 0 holds {0.5, 0.7}: the 1/3 quantile is 0.5 + (0.7 − 0.5)/3 ≈ 0.567 < 0.7.
            Assert.That(tuner.Report(b, 1, 0.7), Is.EqualTo(TrialDecision.Stop));

            // {0.5, 0.7, 0.4}: the 1/3 quantile is 0.4 + (0.5 − 0.4)·2/3 ≈ 0.467 ≥ 0.4.
            Assert.That(tuner.Report(c, 1, 0.4), Is.EqualTo(TrialDecision.Continue));

            // Rung 1 (budget 3): a is first there.
            Assert.That(tuner.Report(a, 3, 0.3), Is.EqualTo(TrialDecision.Continue));
            Assert.That(tuner.Report(c, 3, 0.35), Is.EqualTo(TrialDecision.Stop));
        });
    }

    [Test]
    public void ReplayedTrialsRebuildTheRungs()
    {
        var first = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 2 });
        var trials = Enumerable.Range(0, 3).Select(i => Start(first, i)).ToList();
        for (var i = 0; i < 3; i++)
        {
            Finish(first, trials[i], 3 - i);
        }

        var resumed = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 2 });
        foreach (var trial in trials)
        {
            resumed.Complete(trial);
        }

        Assert.That(resumed.Propose(3).ParentTrialId, Is.EqualTo(2));
    }
}
