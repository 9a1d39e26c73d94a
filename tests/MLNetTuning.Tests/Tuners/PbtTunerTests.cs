using System.Collections.Concurrent;
using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

public class PbtTunerTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Double("lr", 0.001, 0.5, logScale: true)
        .Int("batch", 8, 256, logScale: true)
        .Choice("optimizer", "adam", "rmsprop", "sgd")
        .Build();

    [Test]
    public void TheBottomQuantileExploitsTheTopAndPerturbs()
    {
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 4, PerturbationInterval = 2, MaxBudget = 10, ResampleProbability = 0, Seed = 1 });
        var trials = Enumerable.Range(0, 4).Select(id => Start(tuner, id)).ToList();
        Assert.That(trials.Select(t => t.Budget), Is.All.EqualTo(2.0));
        Assert.That(trials.Select(t => t.ParentTrialId), Is.All.Null);
        Assert.That(tuner.Propose(4), Is.Null, "every member is running");

        // Asynchronous, as in Ray: each member is ranked when it finishes, against the members with a result so far.
        // Worst first, so that each finisher is not in the bottom quantile: everyone continues.
        Finish(tuner, trials[0], 4);
        Finish(tuner, trials[1], 1);
        Finish(tuner, trials[2], 3);
        Finish(tuner, trials[3], 2);
        var second = Enumerable.Range(4, 4).Select(id => Start(tuner, id)).ToList();
        Assert.That(second.Select(t => t.Attributes[PbtTuner.NoteAttribute]), Is.All.EqualTo("continue"));
        Assert.That(second.Select(t => t.ParentTrialId), Is.EqualTo(new int?[] { 0, 1, 2, 3 }));
        Assert.That(second.Select(t => t.Budget), Is.All.EqualTo(4.0));

        // Member 0 finishes its second interval still worst: scored {1, 3, 2, 5}, quantile 0.25 → top {member 1}, bottom {member 0}.
        Finish(tuner, second[0], 5);
        var next = new[] { tuner.Propose(8)! };
        var byMember = next.ToDictionary(p => int.Parse(p.Attributes![PbtTuner.MemberAttribute], CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            var exploit = byMember[0];
            Assert.That(exploit.ParentTrialId, Is.EqualTo(trials[1].Id), "copies the latest checkpoint of the top member");
            Assert.That(exploit.Budget, Is.EqualTo(4.0), "member 1's checkpoint is at 2 epochs; one more interval");
            Assert.That(exploit.Attributes![PbtTuner.NoteAttribute], Does.StartWith("exploit trial 1 (member 1, 2 epochs)"));
            var donor = trials[1].Parameters;
            var lr = donor.Get<double>("lr");
            Assert.That(exploit.Parameters.Get<double>("lr"), Is.EqualTo(Math.Clamp(lr * 1.2, 0.001, 0.5)).Within(1e-12).Or.EqualTo(Math.Clamp(lr * 0.8, 0.001, 0.5)).Within(1e-12));
            var batch = donor.Get<int>("batch");
            Assert.That(exploit.Parameters.Get<int>("batch"), Is.EqualTo(Math.Clamp((int)(batch * 1.2), 8, 256)).Or.EqualTo(Math.Clamp((int)(batch * 0.8), 8, 256)), "integers are truncated");
            var choices = new[] { "adam", "rmsprop", "sgd" };
            var index = Array.IndexOf(choices, donor.Get<string>("optimizer"));
            var moved = Array.IndexOf(choices, exploit.Parameters.Get<string>("optimizer"));
            Assert.That(Math.Abs(moved - index), Is.LessThanOrEqualTo(1), "a choice moves to an adjacent option (or stays at an end)");
            Assert.That(Space.Contains(exploit.Parameters), Is.True);
        });
    }

    [Test]
    public void ResamplingDrawsFromTheDomain()
    {
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 2, ResampleProbability = 1, Seed = 3 });
        var a = Start(tuner, 0);
        var b = Start(tuner, 1);
        Finish(tuner, a, 1);
        Finish(tuner, b, 2);
        var exploit = new[] { tuner.Propose(2)!, tuner.Propose(3)! }.Single(p => p.Attributes![PbtTuner.MemberAttribute] == "1");
        Assert.That(exploit.ParentTrialId, Is.EqualTo(0));
        Assert.That(exploit.Attributes![PbtTuner.NoteAttribute], Does.Contain("resampled"));
    }

    [Test]
    public void SynchronousModeWaitsForTheWholePopulation()
    {
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 4, Synchronous = true, ResampleProbability = 0, Seed = 2 });
        var trials = Enumerable.Range(0, 4).Select(id => Start(tuner, id)).ToList();
        Finish(tuner, trials[0], 4);
        Assert.That(tuner.Propose(4), Is.Null, "no decision before every member has finished the interval");
        Finish(tuner, trials[1], 1);
        Finish(tuner, trials[2], 3);
        Assert.That(tuner.Propose(4), Is.Null);
        Finish(tuner, trials[3], 2);
        var next = Enumerable.Range(4, 4).Select(id => tuner.Propose(id)!).ToList();
        Assert.That(next.Count(p => p.Attributes![PbtTuner.NoteAttribute].StartsWith("exploit trial 1", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(next.Select(p => p.Budget), Is.All.EqualTo(4.0));
    }

    [Test]
    public void NoExploitDuringBurnIn()
    {
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 2, PerturbationInterval = 2, BurnInPeriod = 4, Seed = 2 });
        var a = Start(tuner, 0);
        var b = Start(tuner, 1);
        Finish(tuner, a, 1);
        Finish(tuner, b, 2);
        var second = new[] { tuner.Propose(2)!, tuner.Propose(3)! };
        Assert.That(second.Select(p => p.Attributes![PbtTuner.NoteAttribute]), Is.All.EqualTo("continue"));
    }

    [Test]
    public void BadSettingsAreRefused()
    {
        Assert.That(() => new PbtTunerOptions { QuantileFraction = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("QuantileFraction must be in (0, 0.5]"));
        Assert.That(() => new PbtTunerOptions { QuantileFraction = 0.6 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("QuantileFraction"));
        Assert.That(() => new PbtTunerOptions { PopulationSize = 1 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 2"));
        Assert.That(() => new PbtTunerOptions { PerturbationInterval = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("PerturbationInterval"));
        Assert.That(() => new PbtTunerOptions { ResampleProbability = 1.5 }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new PbtTunerOptions { PerturbationFactors = [] }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new PbtTuner(Space, new PbtTunerOptions { BurnInPeriod = 20, MaxBudget = 20 }), Throws.ArgumentException.With.Message.Contains("BurnInPeriod"));
    }

    [Test]
    public void AStudyRunsThePopulationToTheEndAndTheLineageReplays()
    {
        var trainer = new ToyTrainer();
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 6, PerturbationInterval = 2, MaxBudget = 16, Seed = 5 });
        var study = new TuningStudy(tuner);
        var result = study.Optimize(c => trainer.Run(c, tuner), new StudyLimits { MaxConcurrentTrials = 3 });

        Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(tuner.IsFinished, Is.True);
        // An exploit moves a member to its donor's epoch, so intervals per member vary; every member ends at 16.
        Assert.That(result.Trials.Where(t => t.Budget == 16).Select(t => t.Attributes[PbtTuner.MemberAttribute]).Distinct().Count(), Is.EqualTo(6));
        Assert.That(result.Trials.All(t => t.State == TrialState.Completed), Is.True);
        Assert.That(result.Trials.Count(t => t.Attributes[PbtTuner.NoteAttribute].StartsWith("exploit", StringComparison.Ordinal)), Is.GreaterThan(0));
        Assert.That(trainer.PeakCheckpoints, Is.LessThanOrEqualTo(2 * 6 + 3), "dead members' checkpoints are deleted");

        var best = result.Trials.Where(t => t.Budget == 16).MinBy(t => t.Value)!;
        var lineage = PbtLineage.Of(result.Trials, best.Id);
        Assert.That(lineage.Segments[0].StartBudget, Is.EqualTo(0));
        Assert.That(lineage.Segments[^1].EndBudget, Is.EqualTo(16));
        Assert.That(lineage.Segments.Zip(lineage.Segments.Skip(1)).All(p => p.First.EndBudget == p.Second.StartBudget), Is.True, "each interval starts where its parent ended");
        TestContext.Out.WriteLine(lineage.Format());

        // Training a fresh model with the winner's schedule reproduces its metric.
        var replayed = ToyTrainer.Replay(lineage);
        Assert.That(replayed, Is.EqualTo(best.Value!.Value).Within(1e-12));
    }

    [Test]
    public void AFailedMemberIsReplacedAndTheStudyGoesOn()
    {
        var trainer = new ToyTrainer { FailTrial = 7 };
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 4, PerturbationInterval = 2, MaxBudget = 8, Seed = 9 });
        var result = new TuningStudy(tuner).Optimize(c => trainer.Run(c, tuner));
        Assert.That(result.FailedCount, Is.EqualTo(1));
        Assert.That(tuner.IsFinished, Is.True);
        var failed = result.Trials.Single(t => t.State == TrialState.Failed);
        var member = failed.Attributes[PbtTuner.MemberAttribute];
        var replacement = result.Trials.First(t => t.Id > failed.Id && t.Attributes[PbtTuner.MemberAttribute] == member);
        Assert.That(replacement.Attributes[PbtTuner.NoteAttribute], Does.StartWith("replaces a failed member: exploit trial"));
        Assert.That(result.Trials.Count(t => t.Budget == 8 && t.State == TrialState.Completed), Is.EqualTo(4), "every member reaches the end");
    }

    [Test]
    public void PbtBeatsFixedHyperparametersOnTheToyProblem()
    {
        // The toy rewards a large learning rate early and a small one late: a schedule, which PBT can find and a
        // fixed choice cannot. Equal total epochs: 8 members × 16 epochs against 8 random members × 16 epochs.
        var pbtWins = 0;
        for (var seed = 0; seed < 5; seed++)
        {
            var pbtTrainer = new ToyTrainer();
            var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 8, PerturbationInterval = 2, MaxBudget = 16, Seed = seed });
            var pbt = new TuningStudy(tuner).Optimize(c => pbtTrainer.Run(c, tuner));
            var random = new TuningStudy(new RandomTuner(Space, new RandomTunerOptions { Seed = seed }))
                .Optimize(c => ToyTrainer.Train(c.Parameters, 0, 16, ToyTrainer.Start), new StudyLimits { MaxTrials = 8 });
            if (pbt.Trials.Where(t => t.Budget == 16).Min(t => t.Value) < random.BestTrial!.Value)
            {
                pbtWins++;
            }
        }

        Assert.That(pbtWins, Is.GreaterThanOrEqualTo(4));
    }

    private static TuningTrial Start(PbtTuner tuner, int id)
    {
        var p = tuner.Propose(id)!;
        var trial = new TuningTrial(id, p.Parameters, p.Budget, p.ParentTrialId);
        foreach (var (k, v) in p.Attributes!)
        {
            trial.Restore(TrialState.Running, null, null, null, null, attributes: [new(k, v)]);
        }

        return trial;
    }

    private static void Finish(PbtTuner tuner, TuningTrial trial, double loss)
    {
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
        tuner.Complete(trial);
    }

    /// <summary>
    /// A deterministic stand-in for a network: θ descends toward 3 with step lr·(1 − 0.2·opt), and each epoch adds
    /// noise proportional to lr, so large rates help early and hurt late. The checkpoint is (θ, epoch).
    /// </summary>
    private sealed class ToyTrainer
    {
        public const double Start = -5;

        private readonly ConcurrentDictionary<int, (double Theta, int Epoch)> _checkpoints = new();

        public int? FailTrial { get; init; }

        public int PeakCheckpoints { get; private set; }

        public double Run(TrialContext context, PbtTuner tuner)
        {
            if (context.Trial.Id == FailTrial)
            {
                throw new InvalidOperationException("simulated crash");
            }

            var (theta, epoch) = context.Trial.ParentTrialId is int parent ? _checkpoints[parent] : (Start, 0);
            var value = Train(context.Parameters, epoch, (int)context.Budget!.Value, theta, out var end);
            _checkpoints[context.Trial.Id] = (end, (int)context.Budget!.Value);
            lock (_checkpoints)
            {
                // Delete what the tuner has released, as a runner does.
                foreach (var id in tuner.ReleasedCheckpointTrialIds)
                {
                    _checkpoints.TryRemove(id, out _);
                }

                PeakCheckpoints = Math.Max(PeakCheckpoints, _checkpoints.Count);
            }

            return value;
        }

        public static double Train(TrialParameters p, int fromEpoch, int toEpoch, double theta) => Train(p, fromEpoch, toEpoch, theta, out _);

        public static double Replay(PbtLineage lineage)
        {
            var theta = Start;
            var value = double.NaN;
            foreach (var s in lineage.Segments)
            {
                value = Train(s.Parameters, (int)s.StartBudget, (int)s.EndBudget, theta, out theta);
            }

            return value;
        }

        private static double Train(TrialParameters p, int fromEpoch, int toEpoch, double theta, out double end)
        {
            var lr = p.Get<double>("lr");
            var factor = p.Get<string>("optimizer") switch { "adam" => 1.0, "rmsprop" => 0.9, _ => 0.8 };
            var batchNoise = 8.0 / Math.Sqrt(p.Get<int>("batch"));
            for (var epoch = fromEpoch; epoch < toEpoch; epoch++)
            {
                var noise = new Random(epoch * 7919).NextDouble() - 0.5;
                theta += (lr * factor * (3 - theta)) + (lr * batchNoise * noise);
            }

            end = theta;
            return Math.Pow(theta - 3, 2);
        }
    }
}
