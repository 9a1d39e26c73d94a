using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Studies;

public class TuningStudyTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();

    private static double Sphere(TrialParameters p) => Math.Pow(p.Get<double>("x") - 1, 2) + Math.Pow(p.Get<double>("y") + 2, 2);

    private static TuningStudy NewStudy(int seed = 0, OptimizationDirection direction = OptimizationDirection.Minimize, ITrialStore? store = null, string name = "study") =>
        new(new RandomTuner(Space, new RandomTunerOptions { Seed = seed }), new TuningStudyOptions { Direction = direction, Store = store, Name = name });

    [Test]
    public void AskTellFindsTheBest()
    {
        var study = NewStudy();
        for (var i = 0; i < 30; i++)
        {
            var trial = study.Ask()!;
            study.Tell(trial, Sphere(trial.Parameters));
        }

        var best = study.Trials.MinBy(t => t.Value)!;
        Assert.That(study.BestTrial, Is.SameAs(best));
        Assert.That(study.Trials.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 30)));
        Assert.That(study.Trials.All(t => t.State == TrialState.Completed && t.Duration >= TimeSpan.Zero), Is.True);
    }

    [Test]
    public void MaximizeShowsTheUserValueAndHandsTheTunerItsNegation()
    {
        var study = NewStudy(direction: OptimizationDirection.Maximize);
        var result = study.Optimize(c => -Sphere(c.Parameters), new StudyLimits { MaxTrials = 20 });
        Assert.That(result.BestTrial!.Value, Is.EqualTo(result.Trials.Max(t => t.Value)));
        Assert.That(result.Trials.All(t => t.Loss == -t.Value), Is.True);
        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.MaxTrials));
    }

    [Test]
    public void SameSeedGivesTheSameSequence()
    {
        var a = NewStudy(seed: 3).Optimize(c => Sphere(c.Parameters), new StudyLimits { MaxTrials = 15 });
        var b = NewStudy(seed: 3).Optimize(c => Sphere(c.Parameters), new StudyLimits { MaxTrials = 15 });
        Assert.That(a.Trials.Select(t => (t.Parameters, t.Value)), Is.EqualTo(b.Trials.Select(t => (t.Parameters, t.Value))));
    }

    [Test]
    public void ThrowingAndNonFiniteTrialsFailAndTheStudyGoesOn()
    {
        var study = NewStudy();
        var failed = new List<TuningTrial>();
        study.TrialFailed += (_, e) => failed.Add(e.Trial);
        var result = study.Optimize(
            c => (c.Trial.Id % 4) switch
            {
                1 => throw new InvalidOperationException("boom in trial " + c.Trial.Id),
                2 => double.NaN,
                3 => double.PositiveInfinity,
                _ => Sphere(c.Parameters),
            },
            new StudyLimits { MaxTrials = 12 });
        Assert.Multiple(() =>
        {
            Assert.That(result.Trials, Has.Count.EqualTo(12));
            Assert.That(result.CompletedCount, Is.EqualTo(3));
            Assert.That(result.FailedCount, Is.EqualTo(9));
            Assert.That(failed, Has.Count.EqualTo(9));
            Assert.That(result.Trials[1].Error, Is.EqualTo("InvalidOperationException: boom in trial 1"));
            Assert.That(result.Trials[1].Exception, Is.InstanceOf<InvalidOperationException>());
            Assert.That(result.Trials[2].Error, Does.Contain("NaN"));
            Assert.That(result.Trials[3].Error, Does.Contain("∞").Or.Contain("Infinity"));
            Assert.That(result.AllFailed, Is.False);
            Assert.That(result.BestTrial!.State, Is.EqualTo(TrialState.Completed));
        });
    }

    [Test]
    public void WhenEveryTrialFailsTheResultSaysSoWithTheFirstError()
    {
        var result = NewStudy().Optimize(c => throw new ArgumentException($"bad {c.Trial.Id}"), new StudyLimits { MaxTrials = 3 });
        Assert.That(result.AllFailed, Is.True);
        Assert.That(result.BestTrial, Is.Null);
        Assert.That(result.FirstError, Is.EqualTo("ArgumentException: bad 0"));
        Assert.That(result.ToString(), Does.Contain("All 3 trials failed").And.Contain("bad 0"));
    }

    [Test]
    public async Task RunsTrialsConcurrentlyUpToTheLimit()
    {
        var running = 0;
        var peak = 0;
        var study = NewStudy();
        var result = await study.OptimizeAsync(
            async (c, token) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(40, token);
                Interlocked.Decrement(ref running);
                return Sphere(c.Parameters);
            },
            new StudyLimits { MaxTrials = 12, MaxConcurrentTrials = 3 });
        Assert.That(result.CompletedCount, Is.EqualTo(12));
        Assert.That(peak, Is.EqualTo(3));
        Assert.That(result.Trials.Select(t => t.Id).Distinct().Count(), Is.EqualTo(12));
    }

    [Test]
    public async Task TimeBudgetStopsStartingAndCancelsRunningTrials()
    {
        var study = NewStudy();
        var result = await study.OptimizeAsync(
            async (c, token) =>
            {
                await Task.Delay(c.Trial.Id == 2 ? Timeout.Infinite : 30, token);
                return Sphere(c.Parameters);
            },
            new StudyLimits { TimeBudget = TimeSpan.FromMilliseconds(400) });
        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
        Assert.That(result.Trials, Has.Count.EqualTo(3), "trial 2 never ends on its own, so no fourth trial starts");
        Assert.That(result.Trials[2].State, Is.EqualTo(TrialState.Failed));
        Assert.That(result.Trials[2].Error, Does.Contain("time budget ran out"));
    }

    [Test]
    public async Task CancellationEndsTheRunAndKeepsWhatWasDone()
    {
        using var cancel = new CancellationTokenSource();
        var study = NewStudy();
        study.TrialCompleted += (_, e) =>
        {
            if (e.Trial.Id == 4)
            {
                cancel.Cancel();
            }
        };
        var result = await study.OptimizeAsync((c, _) => Task.FromResult(Sphere(c.Parameters)), new StudyLimits { MaxTrials = 100 }, cancel.Token);
        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.Cancelled));
        Assert.That(result.CompletedCount, Is.EqualTo(5));
    }

    [Test]
    public void EventsReportStartsCompletionsAndNewBests()
    {
        var study = NewStudy();
        var log = new List<string>();
        study.TrialStarted += (_, e) => log.Add($"start {e.Trial.Id}");
        study.TrialCompleted += (_, e) => log.Add($"done {e.Trial.Id}");
        study.NewBestTrial += (_, e) => log.Add($"best {e.Trial.Id}");
        var values = new[] { 5.0, 3.0, 4.0, 1.0 };
        study.Optimize(c => values[c.Trial.Id], new StudyLimits { MaxTrials = 4 });
        Assert.That(log, Is.EqualTo(new[]
        {
            "start 0", "done 0", "best 0", "start 1", "done 1", "best 1", "start 2", "done 2", "start 3", "done 3", "best 3",
        }));
    }

    [Test]
    public void AStopDecisionPrunesTheTrial()
    {
        var study = new TuningStudy(new StopAtStepTwo(Space));
        var result = study.Optimize(
            c =>
            {
                var step = 0;
                while (c.Report(step, 10.0 - step) == TrialDecision.Continue)
                {
                    step++;
                }

                return 10.0 - step;
            },
            new StudyLimits { MaxTrials = 2 });
        Assert.That(result.PrunedCount, Is.EqualTo(2));
        Assert.That(result.Trials[0].IntermediateValues.Keys, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(result.Trials[0].Value, Is.EqualTo(8.0));
        Assert.That(result.BestTrial, Is.Null, "pruned trials do not count as best");
    }

    [Test]
    public void ThrowingTrialPrunedKeepsTheLastValue()
    {
        var study = NewStudy();
        var trial = study.Ask()!;
        study.Report(trial, 0, 4.0);
        study.Report(trial, 1, 3.0);
        var result = study.Optimize(
            c =>
            {
                c.Report(0, 7.0);
                throw new TrialPrunedException();
            },
            new StudyLimits { MaxTrials = 1 });
        Assert.That(result.Trials[1].State, Is.EqualTo(TrialState.Pruned));
        Assert.That(result.Trials[1].Value, Is.EqualTo(7.0));
    }

    [Test]
    public void ReopeningAStudyResumesItsIdsAndHistory()
    {
        var store = new InMemoryTrialStore();
        var first = NewStudy(seed: 8, store: store, name: "resume");
        first.Optimize(c => Sphere(c.Parameters), new StudyLimits { MaxTrials = 5 });
        var dangling = first.Ask()!;

        var reopened = NewStudy(seed: 8, store: store, name: "resume");
        Assert.That(reopened.Trials, Has.Count.EqualTo(6));
        Assert.That(reopened.Trials[5].State, Is.EqualTo(TrialState.Failed), "a trial left running by a crash is marked failed");
        Assert.That(reopened.Trials[5].Error, Does.Contain("Interrupted"));
        var result = reopened.Optimize(c => Sphere(c.Parameters), new StudyLimits { MaxTrials = 5 });
        Assert.That(result.Trials.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 11)));

        var straight = NewStudy(seed: 8, name: "straight").Optimize(c => Sphere(c.Parameters), new StudyLimits { MaxTrials = 11 });
        Assert.That(result.Trials.Select(t => t.Parameters), Is.EqualTo(straight.Trials.Select(t => t.Parameters)), "same ids, same random draws");
        Assert.That(dangling.Id, Is.EqualTo(5));
    }

    [Test]
    public void MisuseIsRefusedClearly()
    {
        var study = NewStudy();
        var trial = study.Ask()!;
        Assert.That(() => study.Report(trial, 0, double.NaN), Throws.ArgumentException.With.Message.Contains("finite"));
        study.Tell(trial, 1);
        Assert.That(() => study.Tell(trial, 2), Throws.InvalidOperationException.With.Message.Contains("already ended"));
        var foreign = new TuningTrial(99, trial.Parameters);
        Assert.That(() => study.Tell(foreign, 1), Throws.ArgumentException.With.Message.Contains("does not belong"));
        Assert.That(() => new TuningStudyOptions { Name = "bad name;" }, Throws.ArgumentException.With.Message.Contains("Invalid study name"));
        Assert.That(() => new StudyLimits { MaxConcurrentTrials = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void AnExhaustedTunerEndsTheRun()
    {
        var space = HyperparameterSpace.CreateBuilder().Choice("c", 1, 2, 3).Build();
        var study = new TuningStudy(new GridTuner(space));
        var result = study.Optimize(c => c.Parameters.Get<int>("c"), new StudyLimits { MaxTrials = 50 });
        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(result.Trials, Has.Count.EqualTo(3));
        Assert.That(study.Ask(), Is.Null);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class StopAtStepTwo(HyperparameterSpace space) : IHyperparameterTuner
    {
        private readonly RandomTuner _random = new(space);

        public HyperparameterSpace Space => space;

        public bool IsFinished => false;

        public TrialProposal? Propose(int trialId) => _random.Propose(trialId);

        public TrialDecision Report(TuningTrial trial, int step, double loss) => step >= 2 ? TrialDecision.Stop : TrialDecision.Continue;

        public void Complete(TuningTrial trial)
        {
        }
    }
}
