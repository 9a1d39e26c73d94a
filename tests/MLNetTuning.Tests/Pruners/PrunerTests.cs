using MLNetTuning.Pipelines;
using MLNetTuning.Pruners;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Pruners;

public class PrunerTests
{
    private static Dictionary<int, double> Curve(params double[] losses) =>
        losses.Select((v, i) => (Step: i, Value: v)).ToDictionary(p => p.Step, p => p.Value);

    private static PruningContext Context(Dictionary<int, double> losses, params Dictionary<int, double>[] completed) =>
        new(99, losses.Keys.Max(), losses, completed);

    // Completed trials at step 2: 1.0, 2.0, 3.0, 4.0, 10.0 → median 3.0, 25th percentile 2.0.
    private static readonly Dictionary<int, double>[] Completed =
    [
        Curve(5, 4, 1.0), Curve(5, 4, 2.0), Curve(5, 4, 3.0), Curve(5, 4, 4.0), Curve(5, 4, 10.0),
    ];

    [Test]
    public void MedianComparesTheBestLossSoFarWithTheMedianAtTheStep()
    {
        var pruner = new MedianPruner();

        Assert.Multiple(() =>
        {
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 8, 3.5), Completed)), Is.True, "best 3.5 > median 3.0");
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 8, 3.0), Completed)), Is.False, "equal to the median is kept");
            Assert.That(pruner.ShouldPrune(Context(Curve(2.5, 8, 7.0), Completed)), Is.False, "the best so far (2.5 at step 0) counts, not the latest");
        });
    }

    [Test]
    public void MedianWaitsForStartupTrialsAndWarmUp()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new MedianPruner(startupTrials: 6).ShouldPrune(Context(Curve(9, 8, 9), Completed)), Is.False, "5 completed < 6 startup trials");
            Assert.That(new MedianPruner(warmupSteps: 3).ShouldPrune(Context(Curve(9, 8, 9), Completed)), Is.False, "step 2 is within the warm-up");
            Assert.That(new MedianPruner(startupTrials: 0).ShouldPrune(Context(Curve(9, 8, 9))), Is.False, "no completed trial, no pruning");
            Assert.That(new MedianPruner(minTrialsAtStep: 6).ShouldPrune(Context(Curve(9, 8, 9), Completed)), Is.False, "only 5 trials reported step 2");
        });
    }

    [Test]
    public void IntervalChecksOnlyTheFirstReportOfEachInterval()
    {
        var pruner = new MedianPruner(warmupSteps: 1, intervalSteps: 2);
        var completed = Enumerable.Range(0, 5).Select(_ => Curve(0, 0, 0, 0, 0, 0)).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 9), completed)), Is.True, "step 1 = warm-up + 0·2 is a check");
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 9, 9), completed)), Is.False, "step 2 is between checks");
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 9, 9, 9), completed)), Is.True, "step 3 is a check");
            var skipped = new Dictionary<int, double> { [0] = 9, [1] = 9, [4] = 9 };
            Assert.That(pruner.ShouldPrune(new PruningContext(1, 4, skipped, completed)), Is.True, "step 3 was not reported, so the check happens at step 4");
        });
    }

    [Test]
    public void PercentileKeepsTheGivenShare()
    {
        var pruner = new PercentilePruner(25);

        Assert.Multiple(() =>
        {
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 9, 2.5), Completed)), Is.True, "2.5 > 25th percentile 2.0");
            Assert.That(pruner.ShouldPrune(Context(Curve(9, 9, 2.0), Completed)), Is.False);

            // Interpolated: 10th percentile of {1,2,3,4,10} is 1 + 0.4·(2 − 1) = 1.4.
            Assert.That(new PercentilePruner(10).ShouldPrune(Context(Curve(9, 9, 1.5), Completed)), Is.True);
            Assert.That(new PercentilePruner(10).ShouldPrune(Context(Curve(9, 9, 1.4), Completed)), Is.False);
            Assert.That(() => new PercentilePruner(101), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("percentile"));
        });
    }

    [Test]
    public void NaNLossesArePruned()
    {
        Assert.That(new MedianPruner().ShouldPrune(Context(Curve(double.NaN, double.NaN, double.NaN), Completed)), Is.True);
    }

    [Test]
    public void PatientWaitsForPatienceStepsWithoutImprovement()
    {
        var early = new PatientPruner(null, patience: 2, minDelta: 0.1);

        Assert.Multiple(() =>
        {
            Assert.That(early.ShouldPrune(Context(Curve(1.0, 1.2, 1.3))), Is.False, "3 reports ≤ patience + 1");

            // Before: {1.0}; last 3: {1.2, 1.3, 1.15} → best 1.15 > 1.0 + 0.1.
            Assert.That(early.ShouldPrune(Context(Curve(1.0, 1.2, 1.3, 1.15))), Is.True);

            // Best of the last 3 is 1.05, not more than 0.1 worse than 1.0.
            Assert.That(early.ShouldPrune(Context(Curve(1.0, 1.2, 1.05, 1.15))), Is.False);
            Assert.That(new PatientPruner(new ThresholdPruner(upper: 5), 2).ShouldPrune(Context(Curve(1.0, 1.2, 1.3, 1.15))), Is.False, "the wrapped pruner has the last word");
            Assert.That(new PatientPruner(new ThresholdPruner(upper: 1.1), 2).ShouldPrune(Context(Curve(1.0, 1.2, 1.3, 1.15))), Is.True);
            Assert.That(() => new PatientPruner(null, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PatientPruner(null, 1, -0.5), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minDelta"));
        });
    }

    [Test]
    public void ThresholdPrunesOutsideTheBoundsOrNaN()
    {
        var pruner = new ThresholdPruner(lower: 0, upper: 1, warmupSteps: 1);

        Assert.Multiple(() =>
        {
            Assert.That(pruner.ShouldPrune(Context(Curve(5))), Is.False, "step 0 is within the warm-up");
            Assert.That(pruner.ShouldPrune(Context(Curve(5, 1.5))), Is.True);
            Assert.That(pruner.ShouldPrune(Context(Curve(5, -0.1))), Is.True);
            Assert.That(pruner.ShouldPrune(Context(Curve(5, 0.5))), Is.False);
            Assert.That(pruner.ShouldPrune(Context(Curve(5, double.NaN))), Is.True);
            Assert.That(() => new ThresholdPruner(), Throws.ArgumentException);
            Assert.That(() => new ThresholdPruner(lower: 2, upper: 1), Throws.ArgumentException.With.Message.Contains("above the upper"));
        });
    }

    [Test]
    public void APrunedTunerStopsBadTrialsInAStudy()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();
        var tuner = new RandomTuner(space, new RandomTunerOptions { Seed = 3 }).WithPruner(new MedianPruner(startupTrials: 3));
        var study = new TuningStudy(tuner, new TuningStudyOptions { Direction = OptimizationDirection.Maximize });

        var result = study.Optimize(
            context =>
            {
                var x = context.Parameters.Get<double>("x");
                var accuracy = 0.0;
                for (var step = 0; step < 10; step++)
                {
                    accuracy = x * (1 - Math.Exp(-step - 1));
                    if (context.Report(step, accuracy) == TrialDecision.Stop)
                    {
                        throw new TrialPrunedException();
                    }
                }

                return accuracy;
            },
            new StudyLimits { MaxTrials = 30 });

        var pruned = result.Trials.Where(t => t.State == TrialState.Pruned).ToList();
        var completed = result.Trials.Where(t => t.State == TrialState.Completed).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pruned, Is.Not.Empty);
            Assert.That(pruned.Select(t => t.IntermediateValues.Count), Is.All.LessThan(10));

            // Maximised accuracy: a pruned trial's x was below the median x of the trials completed before it.
            foreach (var trial in pruned)
            {
                var before = completed.Where(c => c.Id < trial.Id).Select(c => c.Parameters.Get<double>("x")).Order().ToList();
                Assert.That(trial.Parameters.Get<double>("x"), Is.LessThan(before[before.Count / 2] + 1e-12));
            }
        });
    }

    [Test]
    public void WithPrunerNamesTheFactory()
    {
        var factory = new Microsoft.ML.MLContext(1).Tuning().Tuners.Random().WithPruner(new MedianPruner());

        Assert.That(factory.Name, Is.EqualTo("random+median"));
    }
}
