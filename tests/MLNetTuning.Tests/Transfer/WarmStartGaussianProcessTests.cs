using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Transfer;

/// <summary>A warm start's prior in the GP: the source trials' GP mean is the prior mean of the new GP.</summary>
public class WarmStartGaussianProcessTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Build();

    private static double Distance(TrialParameters p, double cx, double cy) => Math.Sqrt(Math.Pow(p.Get<double>("x") - cx, 2) + Math.Pow(p.Get<double>("y") - cy, 2));

    /// <summary>60 source trials at random, on the bowl around (3, 3).</summary>
    private static WarmStartPrior SourcePrior(HyperparameterSpace space)
    {
        var random = new Random(11);
        var observations = new List<PriorObservation>();
        for (var i = 0; i < 60; i++)
        {
            var p = Space.DecodeParameters([random.NextDouble(), random.NextDouble()]);
            var mapped = new TrialParameters(space.Keys.Where(p.ContainsKey).Select(k => new KeyValuePair<string, object?>(k, p[k])));
            observations.Add(new PriorObservation(mapped, Math.Pow(Distance(p, 3, 3), 2)));
        }

        return new WarmStartPrior(observations, 1.0, 10);
    }

    /// <summary>The new study's function: the bowl around (3.3, 2.7), flat at 9 beyond a distance of 3, so that its
    /// first points, all on the plateau, say nothing about where the bowl is.</summary>
    private static double Plateau(TrialParameters p) => Math.Min(Math.Pow(Distance(p, 3.3, 2.7), 2), 9);

    private static readonly double[][] PlateauPoints = [[-4, -4], [-4, 1], [1, -4], [-1, -1]];

    /// <summary>The first model proposals after four own trials on the plateau.</summary>
    private static List<TrialProposal> FirstModelProposals(IHyperparameterTuner tuner, int count)
    {
        var id = 0;
        foreach (var point in PlateauPoints)
        {
            var p = Space.DecodeParameters([(point[0] + 5) / 10, (point[1] + 5) / 10]);
            Complete(tuner, id++, p, Plateau(p));
        }

        var proposals = new List<TrialProposal>();
        for (var i = 0; i < count; i++)
        {
            var proposal = tuner.Propose(id)!;
            proposals.Add(proposal);
            Complete(tuner, id++, proposal.Parameters, Plateau(proposal.Parameters));
        }

        return proposals;
    }

    [Test]
    public void ThePriorMovesTheGpsFirstModelProposalsTowardTheSourcesGoodRegion()
    {
        var warm = new List<TrialProposal>();
        var cold = new List<TrialProposal>();
        for (var seed = 0; seed < 3; seed++)
        {
            var withPrior = new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = seed });
            withPrior.SetWarmStartPrior(SourcePrior(Space));
            warm.AddRange(FirstModelProposals(withPrior, 3));
            cold.AddRange(FirstModelProposals(new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = seed }), 3));
        }

        var warmDistance = warm.Average(p => Distance(p.Parameters, 3, 3));
        var coldDistance = cold.Average(p => Distance(p.Parameters, 3, 3));
        TestContext.Out.WriteLine($"mean distance to (3, 3): warm {warmDistance:F2}, cold {coldDistance:F2}");
        Assert.That(warm.Concat(cold).Select(p => p.Attributes!["gp"]), Has.All.EqualTo("model"));
        Assert.That(warm.Select(p => p.Attributes!.ContainsKey("gp.prior")), Has.All.True);
        Assert.That(cold.Select(p => p.Attributes!.ContainsKey("gp.prior")), Has.All.False);

        // Uniform points of the square lie about 5 from (3, 3), the source's good region within about 1.5 of it. The
        // plateau gives the cold GP no direction, so it heads for the square's empty corner (5, 5), about 2.9 from
        // (3, 3); without the prior both runs are the same (a difference of 0).
        Assert.That(warmDistance, Is.LessThan(2.0), $"warm {warmDistance:F2}, cold {coldDistance:F2}");
        Assert.That(coldDistance, Is.GreaterThan(warmDistance + 0.5), $"warm {warmDistance:F2}, cold {coldDistance:F2}");
    }

    [Test]
    public void WhileThePriorIsOnTheGpModelsFromItsThirdTrial()
    {
        var withPrior = new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = 1 });
        withPrior.SetWarmStartPrior(SourcePrior(Space));
        var cold = new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = 1 });
        foreach (var tuner in new[] { withPrior, cold })
        {
            for (var id = 0; id < 2; id++)
            {
                var proposal = tuner.Propose(id);
                Assert.That(proposal.Attributes!["gp"], Is.EqualTo(id == 0 ? "defaults" : "startup"));
                Complete(tuner, id, proposal.Parameters, Plateau(proposal.Parameters));
            }
        }

        Assert.That(withPrior.Propose(2).Attributes!["gp"], Is.EqualTo("model"));
        Assert.That(cold.Propose(2).Attributes!["gp"], Is.EqualTo("startup"), $"cold: {cold.StartupTrials} startup trials");
    }

    [Test]
    public void ASwitchedOffPriorGivesTheColdGpsProposalsExactly()
    {
        var prior = SourcePrior(Space);
        prior.SwitchOff();
        var warm = new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = 4 });
        warm.SetWarmStartPrior(prior);
        var cold = new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { Seed = 4 });
        for (var id = 0; id < 12; id++)
        {
            var a = warm.Propose(id);
            var b = cold.Propose(id);
            Assert.That(a.Parameters, Is.EqualTo(b.Parameters), $"trial {id}");
            Assert.That(a.Attributes, Is.EqualTo(b.Attributes), $"trial {id}");
            Complete(warm, id, a.Parameters, Plateau(a.Parameters));
            Complete(cold, id, b.Parameters, Plateau(b.Parameters));
        }
    }

    [Test]
    public void ASourceWithoutANewParameterGivesAPriorMeanFlatAlongIt()
    {
        var wider = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Double("y", -5, 5).Double("z", 0, 1).Build();
        var encoding = new GaussianProcessEncoding(wider);
        var prior = new GaussianProcessPrior(SourcePrior(wider), encoding, 200);
        Assert.That(prior.ModelledLeaves, Is.EqualTo(new[] { true, true, false }));

        double MeanAt(double x, double y, double z)
        {
            var features = new double[encoding.FeatureCount];
            encoding.Features(encoding.Encode(wider.DecodeParameters([(x + 5) / 10, (y + 5) / 10, z])), features);
            return prior.Mean(features, []);
        }

        prior.Centre(new double[encoding.FeatureCount], [0.0], 1, 1.0);
        Assert.That(MeanAt(3, 3, 0.1), Is.EqualTo(MeanAt(3, 3, 0.9)).Within(1e-12), "flat along z");
        Assert.That(MeanAt(3, 3, 0.5), Is.LessThan(MeanAt(-4, -4, 0.5) - 1), "low at the source's good region");

        // The acquisition climbs the mean by its gradient: it must match finite differences, and be 0 along z.
        prior.Centre(new double[encoding.FeatureCount], [0.3], 1, 0.7);
        double[] at = [0.62, 0.41, 0.2];
        var gradient = new double[3];
        prior.Mean(at, gradient);
        for (var f = 0; f < 3; f++)
        {
            double[] up = [.. at], down = [.. at];
            up[f] += 1e-6;
            down[f] -= 1e-6;
            var numeric = (prior.Mean(up, []) - prior.Mean(down, [])) / 2e-6;
            Assert.That(gradient[f], Is.EqualTo(numeric).Within(1e-5 + (1e-4 * Math.Abs(numeric))), $"feature {f}");
        }

        Assert.That(gradient[2], Is.Zero);
    }

    [Test]
    public void AutoPassesThePriorToItsGp()
    {
        var auto = (AutoTuner)new MLContext(0).Tuning().Tuners.Auto(new AutoTunerOptions { MaxTrials = 50 }).Create(Space, 2);
        Assert.That(auto.Choice.Tuner, Is.EqualTo("gp"));
        auto.SetWarmStartPrior(SourcePrior(Space));
        var gp = new GaussianProcessTuner(Space, null, 2);
        gp.SetWarmStartPrior(SourcePrior(Space));
        var autoProposals = FirstModelProposals(auto, 2);
        var gpProposals = FirstModelProposals(gp, 2);
        Assert.That(autoProposals.Select(p => p.Parameters), Is.EqualTo(gpProposals.Select(p => p.Parameters)));
        Assert.That(autoProposals.Select(p => p.Attributes!.ContainsKey("gp.prior")), Has.All.True);

        // Through a study: the warm start finds the auto tuner's GP and hands it the prior.
        var store = new InMemoryTrialStore();
        new TuningStudy(new RandomTuner(Space, new RandomTunerOptions { Seed = 3 }), new TuningStudyOptions { Name = "source", Store = store })
            .Optimize(c => Math.Pow(Distance(c.Parameters, 3, 3), 2), new StudyLimits { MaxTrials = 30 });
        var study = new TuningStudy(new MLContext(0).Tuning().Tuners.Auto(new AutoTunerOptions { MaxTrials = 50 }).Create(Space, 2), new TuningStudyOptions { Name = "target", Store = store });
        var start = study.WarmStartFrom("source", new WarmStartOptions { TopK = 6, SpreadTrials = 0 });
        Assert.That(start.Prior, Is.Not.Null);
        Assert.That(start.Messages, Has.Some.Contains("30 source trial(s) form the tuner's prior"));
        for (var i = 0; i < 6; i++)
        {
            var trial = study.Ask()!;
            study.Tell(trial, Plateau(trial.Parameters));
        }

        Assert.That(start.Prior!.IsSwitchedOff, Is.False, "the guard keeps a related source's prior");
        var next = study.Ask()!;
        Assert.That(next.Attributes, Does.ContainKey("gp.prior"), "the GP models with the prior after the re-evaluations");
    }
}
