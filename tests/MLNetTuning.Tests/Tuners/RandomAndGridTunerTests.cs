using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tests.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

public class RandomAndGridTunerTests
{
    [Test]
    public void RandomIsReproducibleAndSeedDependent()
    {
        var space = EncodingTests.MixedSpace();
        var a = Enumerable.Range(0, 20).Select(i => new RandomTuner(space, new RandomTunerOptions { Seed = 5 }).Propose(i).Parameters).ToList();
        var b = Enumerable.Range(0, 20).Select(i => new RandomTuner(space, new RandomTunerOptions { Seed = 5 }).Propose(i).Parameters).ToList();
        var c = Enumerable.Range(0, 20).Select(i => new RandomTuner(space, new RandomTunerOptions { Seed = 6 }).Propose(i).Parameters).ToList();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a.Distinct().Count(), Is.EqualTo(20), "continuous parameters make every proposal distinct");
    }

    [Test]
    public void RandomStaysInsideTheSpaceAndCoversIt()
    {
        var space = EncodingTests.MixedSpace();
        var tuner = new RandomTuner(space, new RandomTunerOptions { Seed = 1 });
        var proposals = Enumerable.Range(0, 600).Select(i => tuner.Propose(i).Parameters).ToList();
        Assert.That(proposals.All(space.Contains), Is.True);
        var branches = proposals.Select(p => ((BranchSelection)p["trainer"]!).Branch).Distinct().Order();
        Assert.That(branches, Is.EqualTo(new[] { "X", "Y", "Z" }));
        Assert.That(proposals.Select(p => p["booster"]).Distinct().Count(), Is.EqualTo(3));

        // Log-uniform: about half the learning rates fall below the log-midpoint 10^-2.5.
        var below = proposals.Count(p => (double)p["lr"]! < Math.Pow(10, -2.5));
        Assert.That(below, Is.InRange(250, 350));
    }

    [Test]
    public void RandomGivesEveryIntegerAnEqualChance()
    {
        // The floored encoding alone would almost never yield 3.
        var space = HyperparameterSpace.CreateBuilder().Int("n", 1, 3).Build();
        var tuner = new RandomTuner(space, new RandomTunerOptions { Seed = 2 });
        var counts = Enumerable.Range(0, 3000).GroupBy(i => tuner.Propose(i).Parameters.Get<int>("n")).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(counts.Keys.Order(), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(counts.Values, Is.All.InRange(900, 1100));
    }

    [Test]
    public void GridVisitsEveryPointOnceThenSaysItIsFinished()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Double("x", 0, 1)
            .Int("n", 1, 2)
            .Choice("c", "a", "b", "c")
            .Conditional("t", b => b.Branch("A", s => s.Boolean("f")).Branch("B"))
            .Build();
        var tuner = new GridTuner(space, new GridTunerOptions { StepsPerRange = 3 });

        // x: 0, 0.5, 1; n: 1, 2 (only two integers); c: 3 values; t: A{f=false|true} or B → 3.
        Assert.That(tuner.CountPoints(), Is.EqualTo(3 * 2 * 3 * 3));
        var proposals = new List<TrialParameters>();
        for (var id = 0; ; id++)
        {
            var proposal = tuner.Propose(id);
            if (proposal is null)
            {
                break;
            }

            proposals.Add(proposal.Parameters);
        }

        Assert.That(tuner.IsFinished, Is.True);
        Assert.That(proposals, Has.Count.EqualTo(54));
        Assert.That(proposals.Distinct().Count(), Is.EqualTo(54));
        Assert.That(proposals.Select(p => p["x"]).Distinct(), Is.EquivalentTo(new object[] { 0.0, 0.5, 1.0 }));
        Assert.That(proposals.All(space.Contains), Is.True);
    }

    [Test]
    public void GridSkipsPointsAlreadyInTheHistory()
    {
        var space = HyperparameterSpace.CreateBuilder().Choice("c", "a", "b", "c").Build();
        var tuner = new GridTuner(space);
        var done = new TuningTrial(0, new TrialParameters([new("c", "b")]));
        tuner.Complete(done);
        var proposed = new[] { tuner.Propose(1), tuner.Propose(2), tuner.Propose(3) };
        Assert.That(proposed.Take(2).Select(p => p!.Parameters["c"]), Is.EqualTo(new[] { "a", "c" }));
        Assert.That(proposed[2], Is.Null);
    }

    [Test]
    public void GridNeedsAtLeastOneStep()
    {
        Assert.That(() => new GridTunerOptions { StepsPerRange = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("StepsPerRange"));
    }
}
