using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Transfer;

/// <summary>The prior's weight follows how well the source keeps predicting the new study's own trials
/// (<see cref="WarmStartOptions.PriorReweighting"/>), beyond the guard's one decision.</summary>
public class WarmStartEvidenceTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();

    private static double Bowl(TrialParameters p, double cx, double cy) => Math.Pow(p.Get<double>("x") - cx, 2) + Math.Pow(p.Get<double>("y") - cy, 2);

    /// <summary>A source study that TPE searched on the bowl around (3, 3): dense near its optimum, as real studies are.</summary>
    private static InMemoryTrialStore StoreWithSource()
    {
        var store = new InMemoryTrialStore();
        var source = new TuningStudy(new TpeTuner(Space, new TpeTunerOptions { Seed = 7 }), new TuningStudyOptions { Name = "source", Store = store });
        source.Optimize(c => Bowl(c.Parameters, 3, 3), new StudyLimits { MaxTrials = 80 });
        return store;
    }

    /// <summary>Warm starts a TPE study (12 re-evaluations, so that the guard's rank correlation sees the box's far
    /// corner and keeps the moved optimum's prior: the case the evidence rule is for), runs it on <paramref name="target"/> and returns the warm start.</summary>
    private static WarmStart Run(InMemoryTrialStore store, string name, int seed, Func<TrialParameters, double> target, bool reweighting)
    {
        var study = new TuningStudy(new TpeTuner(Space, new TpeTunerOptions { Seed = seed }), new TuningStudyOptions { Name = $"{name}-{seed}-{reweighting}", Store = store });
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 8, SpreadTrials = 4, PriorReweighting = reweighting });
        // 12 re-evaluations, then 12 own trials: early, while the decayed prior still weighs.
        study.Optimize(c => target(c.Parameters), new StudyLimits { MaxTrials = 24 });
        return start;
    }

    /// <remarks>Later, the trust of any source falls as the study's own neighbours come to rank its trials better
    /// (RGPE hands over to the new data), so the comparison is made early.</remarks>
    [Test]
    public void ThePriorLosesItsWeightWhenTheSourcesBestRegionMovedAndKeepsItWhenItDidNot()
    {
        var store = StoreWithSource();
        var sameTrust = new List<double>();
        for (var seed = 0; seed < 6; seed++)
        {
            // The same bowl with its optimum moved by 2 in each coordinate: the box's far corner is bad on both, so the
            // re-evaluations still rank alike and the guard keeps the prior; only the best region moved.
            var moved = Run(store, "moved", seed, p => Bowl(p, 1, 1), reweighting: true);
            var same = Run(store, "same", seed, p => 2 * Bowl(p, 3, 3), reweighting: true);
            var unweighted = Run(store, "moved", seed, p => Bowl(p, 1, 1), reweighting: false);
            TestContext.Out.WriteLine($"seed {seed}: moved ρ {moved.GuardCorrelation:F2} trust {moved.Prior!.Trust:F2}; same ρ {same.GuardCorrelation:F2} trust {same.Prior!.Trust:F2}");

            Assert.That(moved.Prior.IsSwitchedOff, Is.False, "the guard's rank correlation keeps a moved optimum's prior");
            Assert.That(moved.GuardCorrelation, Is.GreaterThan(0.3));
            Assert.That(moved.Prior.Trust, Is.LessThan(0.25), $"seed {seed}: the moved optimum's prior should lose its weight");
            Assert.That(moved.Prior.WeightAt(12), Is.LessThan(0.25 * unweighted.Prior!.WeightAt(12)));
            Assert.That(same.Prior.IsSwitchedOff, Is.False);
            Assert.That(same.Prior.Trust, Is.GreaterThanOrEqualTo(moved.Prior.Trust), $"seed {seed}");
            Assert.That(unweighted.Prior.Trust, Is.EqualTo(1), "without reweighting, only the guard and the decay act");
            sameTrust.Add(same.Prior.Trust);
        }

        Assert.That(sameTrust.Average(), Is.GreaterThan(0.6), "an unchanged optimum's prior keeps most of its weight");
    }
}
