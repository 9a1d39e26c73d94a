using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Transfer;

public class WarmStartTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();

    private static double Bowl(TrialParameters p, double cx, double cy) => Math.Pow(p.Get<double>("x") - cx, 2) + Math.Pow(p.Get<double>("y") - cy, 2);

    /// <summary>A source study that searched the bowl around (3, 3) at random.</summary>
    private static InMemoryTrialStore StoreWithSource(int trials = 60)
    {
        var store = new InMemoryTrialStore();
        var source = new TuningStudy(new RandomTuner(Space, new RandomTunerOptions { Seed = 11 }), new TuningStudyOptions { Name = "source", Store = store });
        source.Optimize(c => Bowl(c.Parameters, 3, 3), new StudyLimits { MaxTrials = trials });
        return store;
    }

    private static TuningStudy Target(ITrialStore store, int seed) =>
        new(new TpeTuner(Space, new TpeTunerOptions { Seed = seed }), new TuningStudyOptions { Name = "target", Store = store });

    private static double MeanDistanceOfFirstProposals(TuningStudy study, int count)
    {
        var distances = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var trial = study.Ask()!;
            distances.Add(Math.Sqrt(Bowl(trial.Parameters, 3, 3)));
            study.Tell(trial, Bowl(trial.Parameters, 3.3, 2.7));
        }

        return distances.Average();
    }

    [Test]
    public void ThePriorMovesTpesFirstProposalsTowardTheSourcesGoodRegion()
    {
        var store = StoreWithSource();
        double warm = 0, cold = 0;
        for (var seed = 0; seed < 5; seed++)
        {
            var withPrior = Target(store, seed);
            var start = withPrior.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0 });
            Assert.That(start.Prior, Is.Not.Null);
            warm += MeanDistanceOfFirstProposals(withPrior, 5) / 5;

            var noPrior = new TuningStudy(new TpeTuner(Space, new TpeTunerOptions { Seed = seed }), new TuningStudyOptions { Name = "cold" + seed, Store = store });
            noPrior.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0, PriorWeight = 0 });
            cold += MeanDistanceOfFirstProposals(noPrior, 5) / 5;
        }

        // Uniform points of the square lie about 5 from (3, 3); the source's good region is within about 1.5 of it.
        Assert.That(warm, Is.LessThan(2.0), $"warm {warm:F2}, cold {cold:F2}");
        Assert.That(cold, Is.GreaterThan(warm + 1.5), $"warm {warm:F2}, cold {cold:F2}");
    }

    [Test]
    public void TheSourcesBestTrialsAreReEvaluatedFirstAndARelatedSourceKeepsThePrior()
    {
        var store = StoreWithSource();
        var sourceBest = store.Load("source").Where(t => t.State == TrialState.Completed).OrderBy(t => t.Loss).Take(5).Select(t => t.Parameters).ToList();
        var study = Target(store, seed: 1);
        var messages = new List<string>();
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 5, SpreadTrials = 4, Log = messages.Add });
        Assert.That(start.ReEvaluatedCount, Is.EqualTo(9));

        // The target's optimum moved by 0.3 in each direction: a related task.
        var result = study.Optimize(c => Bowl(c.Parameters, 3.3, 2.7), new StudyLimits { MaxTrials = 15 });

        var trials = result.Trials.OrderBy(t => t.Id).ToList();
        Assert.That(trials.Take(5).Select(t => t.Parameters), Is.EqualTo(sourceBest));
        Assert.That(trials.Take(9).All(t => t.Attributes[WarmStart.SourceTrialAttribute].StartsWith("source/", StringComparison.Ordinal)), Is.True);
        Assert.That(trials.Skip(9).Any(t => t.Attributes.ContainsKey(WarmStart.SourceTrialAttribute)), Is.False);
        Assert.That(start.GuardDecided, Is.True);
        Assert.That(start.GuardCorrelation, Is.GreaterThan(0.3));
        Assert.That(start.Prior!.IsSwitchedOff, Is.False);
        Assert.That(start.Prior.WeightAt(9), Is.GreaterThan(0).And.LessThan(start.Prior.WeightAt(0)), "the weight decays with own trials");
        Assert.That(messages, Has.Some.Contains("the prior stays on"));
    }

    [Test]
    public void TheGuardSwitchesThePriorOffOnAnAntiCorrelatedSource()
    {
        var store = StoreWithSource();
        var study = Target(store, seed: 2);
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 5, SpreadTrials = 4 });

        // The source's best region is the target's worst: (3, 3) is the far corner from (-4, -4).
        study.Optimize(c => Bowl(c.Parameters, -4, -4), new StudyLimits { MaxTrials = 12 });

        Assert.That(start.GuardDecided, Is.True);
        Assert.That(start.GuardCorrelation, Is.LessThan(0));
        Assert.That(start.Prior!.IsSwitchedOff, Is.True);
        Assert.That(start.Prior.WeightAt(0), Is.Zero);
        Assert.That(start.Messages, Has.Some.Contains("switched off").And.Some.Contains("goes on cold"));
    }

    [Test]
    public void DifferentSpacesAreMappedWithAMessageSayingWhatWasClippedDroppedAndDrawn()
    {
        var store = StoreWithSource();
        var narrower = HyperparameterSpace.CreateBuilder().Double("x", -2, 2).Double("z", 0, 1).Build();
        var study = new TuningStudy(new TpeTuner(narrower, new TpeTunerOptions { Seed = 0 }), new TuningStudyOptions { Name = "narrow", Store = store });
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 3, SpreadTrials = 0 });

        Assert.That(start.Messages, Has.Some.Contains("'x'").And.Contains("clipped").And.Contains("[-2, 2]"));
        Assert.That(start.Messages, Has.Some.Contains("'y' is not in the new space: dropped"));
        Assert.That(start.Messages, Has.Some.Contains("'z' is not in the source space: drawn"));
        var first = study.Ask()!;
        Assert.That(first.Parameters["x"], Is.EqualTo(2.0), "the source's best x (about 3) is clipped to the new maximum");
        Assert.That(narrower.Contains(first.Parameters), Is.True);
    }

    [Test]
    public void AnUnknownSourceStudyIsANamedError()
    {
        var store = StoreWithSource(trials: 3);
        var study = Target(store, seed: 0);
        var error = Assert.Throws<ArgumentException>(() => study.WarmStartFrom("sourse"))!;
        Assert.That(error.Message, Does.Contain("'sourse'").And.Contain("not in the source store").And.Contain("source"));

        var elsewhere = new InMemoryTrialStore();
        var stored = store.FindStudy("source")!;
        var wrongStore = Assert.Throws<ArgumentException>(() => study.WarmStartFrom(stored, new WarmStartOptions { SourceStore = elsewhere }))!;
        Assert.That(wrongStore.Message, Does.Contain("'source'").And.Contain("Studies there: none"));
    }

    [Test]
    public void SpearmanRanksTiesByTheirMeanRank()
    {
        Assert.That(WarmStart.Spearman([(1, 10), (2, 20), (3, 30)]), Is.EqualTo(1).Within(1e-12));
        Assert.That(WarmStart.Spearman([(1, 30), (2, 20), (3, 10)]), Is.EqualTo(-1).Within(1e-12));
        Assert.That(WarmStart.Spearman([(1, 5), (2, 5), (3, 5)]), Is.NaN);
    }
}

public class WarmStartResumeTests
{
    [Test]
    public void AResumedStudyDoesNotReEvaluateAgainAndItsGuardUsesTheStoredResults()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Build();
        var store = new InMemoryTrialStore();
        new TuningStudy(new RandomTuner(space, new RandomTunerOptions { Seed = 4 }), new TuningStudyOptions { Name = "source", Store = store })
            .Optimize(c => Math.Abs(c.Parameters.Get<double>("x") - 2), new StudyLimits { MaxTrials = 30 });
        var options = new WarmStartOptions { TopK = 4, SpreadTrials = 3 };
        TuningStudy Open() => new(new TpeTuner(space, new TpeTunerOptions { Seed = 1 }), new TuningStudyOptions { Name = "target", Store = store });

        var first = Open();
        first.WarmStartFrom("source", options);
        first.Optimize(c => Math.Abs(c.Parameters.Get<double>("x") - 2.2), new StudyLimits { MaxTrials = 7 });

        var resumed = Open();
        var again = resumed.WarmStartFrom("source", options);
        Assert.That(resumed.EnqueuedCount, Is.Zero);
        Assert.That(again.GuardDecided, Is.True);
        Assert.That(again.Prior!.IsSwitchedOff, Is.False, string.Join("\n", again.Messages));
    }
}

public class CmaEsWarmStartTests
{
    [Test]
    public void ThePriorStartsCmaEsInTheSourcesGoodRegion()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();
        var store = new InMemoryTrialStore();
        new TuningStudy(new RandomTuner(space, new RandomTunerOptions { Seed = 11 }), new TuningStudyOptions { Name = "source", Store = store })
            .Optimize(c => Math.Pow(c.Parameters.Get<double>("x") - 3, 2) + Math.Pow(c.Parameters.Get<double>("y") - 3, 2), new StudyLimits { MaxTrials = 60 });

        double MeanDistance(double priorWeight)
        {
            var study = new TuningStudy(new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 5 }), new TuningStudyOptions { Name = $"cma{priorWeight}", Store = store });
            study.WarmStartFrom("source", new WarmStartOptions { TopK = 0, SpreadTrials = 0, PriorWeight = priorWeight });
            var distances = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                var trial = study.Ask()!;
                var (x, y) = (trial.Parameters.Get<double>("x"), trial.Parameters.Get<double>("y"));
                distances.Add(Math.Sqrt(((x - 3) * (x - 3)) + ((y - 3) * (y - 3))));
                study.Tell(trial, Math.Pow(x - 3.3, 2) + Math.Pow(y - 2.7, 2));
            }

            return distances.Average();
        }

        var warm = MeanDistance(1.0);
        var cold = MeanDistance(0.0);
        Assert.That(warm, Is.LessThan(2.0), $"warm {warm:F2}, cold {cold:F2}");
        Assert.That(cold, Is.GreaterThan(warm + 1.5), $"warm {warm:F2}, cold {cold:F2}");
    }
}
