using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Transfer;

/// <summary>A warm start whose new space has parameters the source study lacked: the source still shapes the prior
/// for the parameters it has, and says nothing about the others.</summary>
public class WarmStartPartialPriorTests
{
    private static readonly HyperparameterSpace SourceSpace = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();

    // The new space adds a number and a choice the source never searched.
    private static readonly HyperparameterSpace WiderSpace = HyperparameterSpace.CreateBuilder()
        .Double("x", -5, 5).Double("y", -5, 5).Double("z", 0, 1).Choice("kind", "a", "b", "c", "d").Build();

    private static double Distance(TrialParameters p) => Math.Sqrt(Math.Pow(p.Get<double>("x") - 3, 2) + Math.Pow(p.Get<double>("y") - 3, 2));

    /// <summary>A source study that searched the bowl around (3, 3) in (x, y) at random.</summary>
    private static InMemoryTrialStore StoreWithSource()
    {
        var store = new InMemoryTrialStore();
        new TuningStudy(new RandomTuner(SourceSpace, new RandomTunerOptions { Seed = 11 }), new TuningStudyOptions { Name = "source", Store = store })
            .Optimize(c => Math.Pow(Distance(c.Parameters), 2), new StudyLimits { MaxTrials = 60 });
        return store;
    }

    /// <summary>The first proposals of a study on the wider space; the new parameters do not change the loss.</summary>
    private static List<TrialParameters> FirstProposals(TuningStudy study, int count)
    {
        var proposals = new List<TrialParameters>();
        for (var i = 0; i < count; i++)
        {
            var trial = study.Ask()!;
            proposals.Add(trial.Parameters);
            study.Tell(trial, Math.Pow(trial.Parameters.Get<double>("x") - 3.3, 2) + Math.Pow(trial.Parameters.Get<double>("y") - 2.7, 2));
        }

        return proposals;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void SourceTrialsLackingANewParameterStillMoveTpeTowardTheirGoodRegion(bool multivariate)
    {
        var store = StoreWithSource();
        List<TrialParameters> warm = [], cold = [];
        for (var seed = 0; seed < 5; seed++)
        {
            TuningStudy Open(string name) => new(new TpeTuner(WiderSpace, new TpeTunerOptions { Seed = seed, Multivariate = multivariate }), new TuningStudyOptions { Name = name + seed, Store = store });
            var withPrior = Open("warm");
            var start = withPrior.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0 });
            Assert.That(start.Prior!.Observations, Has.Count.EqualTo(60), "every source trial is in the prior");
            warm.AddRange(FirstProposals(withPrior, 5));

            var noPrior = Open("cold");
            noPrior.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0, PriorWeight = 0 });
            cold.AddRange(FirstProposals(noPrior, 5));
        }

        var warmDistance = warm.Average(Distance);
        var coldDistance = cold.Average(Distance);
        var z = warm.Select(p => p.Get<double>("z")).ToList();
        var spread = Math.Sqrt(z.Average(v => Math.Pow(v - z.Average(), 2)));
        TestContext.Out.WriteLine($"multivariate {multivariate}: warm {warmDistance:F2}, cold {coldDistance:F2}, z's spread {spread:F3}");
        Assert.That(warmDistance, Is.LessThan(2.0), $"warm {warmDistance:F2}, cold {coldDistance:F2}");
        Assert.That(coldDistance, Is.GreaterThan(warmDistance + 1.5), $"warm {warmDistance:F2}, cold {coldDistance:F2}");

        // The source says nothing about z and kind: the prior must not pull them to the values used to encode the gaps.
        Assert.That(spread, Is.GreaterThan(0.2), $"z's spread {spread:F3} (uniform: 0.29)");
        Assert.That(warm.Select(p => p["kind"]).Distinct().Count(), Is.EqualTo(4), "every kind is proposed");
    }

    [Test]
    public void TheLogNamesTheMissingParametersAndSaysTheOthersFormThePrior()
    {
        var store = StoreWithSource();
        var study = new TuningStudy(new TpeTuner(WiderSpace, new TpeTunerOptions { Seed = 0 }), new TuningStudyOptions { Name = "target", Store = store });
        var logged = new List<string>();
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 2, SpreadTrials = 0, Log = logged.Add });

        Assert.That(logged, Is.EqualTo(start.Messages));
        Assert.That(start.Messages, Has.Some.Contains("60 source trial(s) lack 'z'; their other parameters form the prior"));
        Assert.That(start.Messages, Has.Some.Contains("60 source trial(s) lack 'kind'; their other parameters form the prior"));
        Assert.That(start.Messages, Has.Some.Contains("60 source trial(s) form the tuner's prior"));
        Assert.That(start.Messages, Has.None.Contains("left out"));
    }

    [Test]
    public void AParameterMissingInsideABranchIsNamedByItsPathAndTheBranchStillInformsThePrior()
    {
        var before = HyperparameterSpace.CreateBuilder()
            .Conditional("trainer", b => b.Branch("tree", s => s.Int("leaves", 2, 64)).Branch("linear", s => s.Double("l2", 1e-4, 1, logScale: true)))
            .Build();
        var after = HyperparameterSpace.CreateBuilder()
            .Conditional("trainer", b => b.Branch("tree", s => s.Int("leaves", 2, 64).Double("rate", 0.01, 1, logScale: true)).Branch("linear", s => s.Double("l2", 1e-4, 1, logScale: true)))
            .Build();
        var store = new InMemoryTrialStore();
        var source = new TuningStudy(new RandomTuner(before, new RandomTunerOptions { Seed = 3 }), new TuningStudyOptions { Name = "source", Store = store });
        source.Optimize(c => c.Parameters["trainer"] is BranchSelection { Branch: "tree" } s ? Math.Abs(s.Parameters.Get<int>("leaves") - 50) : 100, new StudyLimits { MaxTrials = 40 });
        var treeTrials = store.Load("source").Count(t => t.Parameters["trainer"] is BranchSelection { Branch: "tree" });

        var study = new TuningStudy(new TpeTuner(after, new TpeTunerOptions { Seed = 1 }), new TuningStudyOptions { Name = "target", Store = store });
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0 });
        Assert.That(start.Messages, Has.Some.Contains($"{treeTrials} source trial(s) lack 'trainer.tree.rate'"));

        var leaves = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            var trial = study.Ask()!;
            if (trial.Parameters["trainer"] is BranchSelection { Branch: "tree" } s)
            {
                leaves.Add(s.Parameters.Get<int>("leaves"));
            }

            study.Tell(trial, 1.0);
        }

        Assert.That(leaves, Is.Not.Empty, "the source's good branch is proposed");
        Assert.That(leaves.Average(), Is.GreaterThan(38), $"leaves proposed: {string.Join(", ", leaves)} (the source's good region is near 50)");
    }

    [Test]
    public void CmaEsStartsAtTheSourcesGoodValuesForSharedParametersAndColdForTheNewOne()
    {
        var store = StoreWithSource();
        var space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Double("z", 0, 1, defaultValue: 0.2).Build();

        (double Distance, double Z) FirstProposals(double priorWeight)
        {
            var study = new TuningStudy(new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 5 }), new TuningStudyOptions { Name = $"cma{priorWeight}", Store = store });
            study.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0, PriorWeight = priorWeight });
            var proposals = new List<TrialParameters>();
            for (var i = 0; i < 6; i++)
            {
                var trial = study.Ask()!;
                proposals.Add(trial.Parameters);
                study.Tell(trial, Math.Pow(trial.Parameters.Get<double>("x") - 3.3, 2) + Math.Pow(trial.Parameters.Get<double>("y") - 2.7, 2));
            }

            return (proposals.Average(Distance), proposals.Average(p => p.Get<double>("z")));
        }

        var warm = FirstProposals(1.0);
        var cold = FirstProposals(0.0);
        TestContext.Out.WriteLine($"warm {warm.Distance:F2} (z {warm.Z:F3}), cold {cold.Distance:F2}");
        Assert.That(warm.Distance, Is.LessThan(2.0), $"warm {warm.Distance:F2}, cold {cold.Distance:F2}");
        Assert.That(cold.Distance, Is.GreaterThan(warm.Distance + 1.5), $"warm {warm.Distance:F2}, cold {cold.Distance:F2}");

        // z starts where a cold run starts (the default 0.2), with a step size of the cold run's order.
        Assert.That(warm.Z, Is.EqualTo(0.2).Within(0.2), $"mean z of the warm run's first proposals {warm.Z:F3}");
    }
}

/// <summary>Which coordinates and names a partial point of a space gives or lacks.</summary>
public class PartialParametersGivenTests
{
    [Test]
    public void GivenCoordinatesAndMissingNamesFollowNestedSpacesAndTheChosenBranch()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Double("a", 0, 1)
            .Nested("n", s => s.Int("i", 1, 9).Double("j", 0, 1))
            .Conditional("c", b => b.Branch("p", s => s.Double("u", 0, 1).Double("v", 0, 1)).Branch("q", s => s.Double("w", 0, 1)))
            .Constant("k", 3)
            .Build();
        var partial = new TrialParameters([
            new("n", new TrialParameters([new("j", 0.5)])),
            new("c", new BranchSelection("p", new TrialParameters([new("v", 0.1)]))),
        ]);

        Assert.That(PartialParameters.MissingNames(space, partial).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "a", "c.p.u", "n.i" }));

        var given = PartialParameters.GivenCoordinates(space, partial);
        bool Given(int offset) => given[offset];
        var c = (ConditionalChoice)space["c"];
        var n = (HyperparameterSpace)space["n"];
        Assert.That(Given(space.OffsetOf("a")), Is.False);
        Assert.That(Given(space.OffsetOf("n") + n.OffsetOf("i")), Is.False);
        Assert.That(Given(space.OffsetOf("n") + n.OffsetOf("j")), Is.True);
        Assert.That(Given(space.OffsetOf("c")), Is.True, "the selector");
        Assert.That(Given(space.OffsetOf("c") + c.OffsetOf("p") + c.Branches["p"].OffsetOf("u")), Is.False);
        Assert.That(Given(space.OffsetOf("c") + c.OffsetOf("p") + c.Branches["p"].OffsetOf("v")), Is.True);
        Assert.That(Given(space.OffsetOf("c") + c.OffsetOf("q")), Is.True, "an inactive branch keeps its fixed encoding");
        Assert.That(PartialParameters.GivenCoordinates(space, TrialParameters.Empty), Has.All.False);
    }
}
