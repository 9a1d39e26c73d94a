using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Tuners;

public class GaussianProcessTunerTests
{
    private static HyperparameterSpace MixedSpace { get; } = HyperparameterSpace.CreateBuilder()
        .Conditional("model", b => b
            .Branch("tree", s => s.Int("leaves", 2, 128, logScale: true).Double("rate", 1e-3, 1, logScale: true))
            .Branch("linear", s => s.Float("l2", 1e-6f, 1f, logScale: true).Boolean("bias"))
            .Branch("none"))
        .Choice("metric", "a", "b", "c")
        .Int("bins", -5, 5)
        .Double("z", 0, 1)
        .Build();

    /// <summary>Best at tree, 8 leaves, rate 0.05, metric b, bins 2, z 0.7.</summary>
    private static double MixedLoss(TrialParameters p)
    {
        var model = p.Get<BranchSelection>("model");
        var loss = model.Branch switch
        {
            "tree" => Math.Pow(Math.Log2(model.Parameters.Get<int>("leaves")) - 3, 2) + Math.Pow(Math.Log10(model.Parameters.Get<double>("rate")) + 1.3, 2),
            "linear" => 3 + Math.Abs(Math.Log10(model.Parameters.Get<float>("l2")) + 3),
            _ => 5,
        };
        return loss + (p.Get<string>("metric") == "b" ? 0 : 0.5) + (Math.Abs(p.Get<int>("bins") - 2) / 4.0) + Math.Pow(p.Get<double>("z") - 0.7, 2);
    }

    [Test]
    public void InterpolatesNoiseFreeDataAtItsPoints()
    {
        var random = new Random(3);
        const int n = 15;
        var x = new double[n * 2];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[2 * i] = random.NextDouble();
            x[(2 * i) + 1] = random.NextDouble();
            y[i] = Math.Sin(5 * x[2 * i]) + Math.Cos(3 * x[(2 * i) + 1]);
        }

        var model = new GaussianProcessModel([0, 1]);
        model.Fit(x, y, n, GaussianProcessModel.DefaultTheta(2), 100);
        var sd = Math.Sqrt(y.Select(v => v * v).Average() - Math.Pow(y.Average(), 2));
        Assert.That(model.Noise, Is.LessThan(1e-3), "noise-free data need (almost) no noise");
        for (var i = 0; i < n; i++)
        {
            model.Predict(x.AsSpan(2 * i, 2), out var mean, out var variance);
            Assert.That(mean, Is.EqualTo(y[i]).Within(0.01 * sd), $"point {i}");
            Assert.That(Math.Sqrt(variance), Is.LessThan(0.05 * sd), $"point {i}");
        }

        // Away from the data the model is uncertain.
        model.Predict([0.5, 2.0], out _, out var far);
        Assert.That(Math.Sqrt(far), Is.GreaterThan(0.3));
    }

    [Test]
    public void FarFromTheTrialsItPredictsTheWorstLossSeen()
    {
        // Trials in one corner of a 4-D box; the opposite corner is far from all of them.
        var space = HyperparameterSpace.CreateBuilder()
            .Double("a", 0, 1).Double("b", 0, 1).Double("c", 0, 1).Double("d", 0, 1)
            .Build();
        var tuner = new GaussianProcessTuner(space, new GaussianProcessTunerOptions { StartupTrials = 4 }, 1);
        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            var values = new Dictionary<string, object?>();
            foreach (var name in new[] { "a", "b", "c", "d" })
            {
                values[name] = 0.2 * random.NextDouble();
            }

            var parameters = new TrialParameters(values);
            var trial = new TuningTrial(i, parameters);
            var loss = values.Values.Sum(v => Math.Pow((double)v! - 0.1, 2)); // a bowl inside the corner
            trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
            tuner.Complete(trial);
        }

        var (incumbent, _) = tuner.FitModel([]);
        tuner.Model.Predict([1.0, 1.0, 1.0, 1.0], out var far, out _);
        // The warped losses are shifted so the worst is 0; a mean-centred model would predict about the average.
        Assert.That(far, Is.EqualTo(0).Within(0.1), "far away the prediction is the worst loss seen");
        Assert.That(incumbent, Is.LessThan(-1), "the best trial lies well below the worst");
    }

    [Test]
    public void LengthScaleGrowsOnAnIrrelevantDimension()
    {
        var random = new Random(5);
        const int n = 30;
        var x = new double[n * 2];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[2 * i] = random.NextDouble();
            x[(2 * i) + 1] = random.NextDouble();
            y[i] = Math.Sin(6 * x[2 * i]);
        }

        var model = new GaussianProcessModel([0, 1]);
        model.Fit(x, y, n, GaussianProcessModel.DefaultTheta(2), 100);
        var lengths = model.LengthScales;
        TestContext.Out.WriteLine($"length scales {lengths[0]:G4}, {lengths[1]:G4}");
        Assert.Multiple(() =>
        {
            Assert.That(lengths[1], Is.GreaterThan(5 * lengths[0]));
            Assert.That(lengths[1], Is.GreaterThan(GaussianProcessModel.DefaultTheta(2).Skip(1).Take(1).Select(Math.Exp).Single() * 4));
        });
    }

    [Test]
    public void MarginalLikelihoodGradientMatchesFiniteDifferences()
    {
        var random = new Random(9);
        const int n = 12;
        var x = Enumerable.Range(0, n * 3).Select(_ => random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => x[3 * i] - (2 * x[(3 * i) + 1] * x[(3 * i) + 1])).ToArray();
        var model = new GaussianProcessModel([0, 1, 1]);
        double[] theta = [0.3, -0.7, 0.2, -5];
        var gradient = new double[4];
        model.NegativeLogPosterior(x, y, n, (double[])theta.Clone(), gradient);
        for (var k = 0; k < theta.Length; k++)
        {
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[k] += 1e-5;
            down[k] -= 1e-5;
            var numeric = (model.NegativeLogPosterior(x, y, n, up, new double[4]) - model.NegativeLogPosterior(x, y, n, down, new double[4])) / 2e-5;
            Assert.That(gradient[k], Is.EqualTo(numeric).Within(1e-4 * (1 + Math.Abs(numeric))), $"θ[{k}]");
        }
    }

    /// <summary>h(z) = z·Φ(z) + φ(z) to 20 digits (mpmath), including far tails where EI underflows.</summary>
    [TestCase(1.0, 0.080026218849306940029)]
    [TestCase(0.0, -0.91893853320467274178)]
    [TestCase(-1.0, -2.4851210257126413368)]
    [TestCase(-3.5, -9.7468100377653867369)]
    [TestCase(-10.0, -55.553122036122355927)]
    [TestCase(-40.0, -808.29856835661996024)]
    public void LogExpectedImprovementEqualsTheClosedForm(double z, double logH)
    {
        // EI = sd·h((best − mean)/sd): sd = 2, best = 1, mean = 1 − 2z.
        var logEi = LogExpectedImprovement.Value(1 - (2 * z), 2, 1, out var dMean, out var dSd);
        Assert.That(logEi, Is.EqualTo(Math.Log(2) + logH).Within(1e-12 * Math.Max(1, Math.Abs(logH))));

        // Derivatives against central differences.
        var step = 1e-6;
        var numericMean = (LogExpectedImprovement.Value(1 - (2 * z) + step, 2, 1, out _, out _) - LogExpectedImprovement.Value(1 - (2 * z) - step, 2, 1, out _, out _)) / (2 * step);
        var numericSd = (LogExpectedImprovement.Value(1 - (2 * z), 2 + step, 1, out _, out _) - LogExpectedImprovement.Value(1 - (2 * z), 2 - step, 1, out _, out _)) / (2 * step);
        Assert.That(dMean, Is.EqualTo(numericMean).Within(1e-5 * (1 + Math.Abs(numericMean))));
        Assert.That(dSd, Is.EqualTo(numericSd).Within(1e-5 * (1 + Math.Abs(numericSd))));
    }

    [TestCase(-5.0, 2.8665157187919391167e-7)]
    [TestCase(-1.5, 0.066807201268858066004)]
    [TestCase(0.3, 0.61791142218895263307)]
    [TestCase(4.0, 0.99996832875816688008)]
    public void NormalCdfIsAccurate(double z, double expected) =>
        Assert.That(LogExpectedImprovement.Cdf(z), Is.EqualTo(expected).Within(1e-14 * expected));

    [Test]
    public void ProposalsStayInsideTheSpaceAndRespectIntegersAndChoices()
    {
        var tuner = new GaussianProcessTuner(MixedSpace, null, 2);
        var modelled = 0;
        var branches = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var proposal = tuner.Propose(i);
            var p = proposal.Parameters;
            Assert.That(MixedSpace.Contains(p), Is.True, $"trial {i}: {p}");
            Assert.That(p.Get<int>("bins"), Is.InRange(-5, 5));
            Assert.That(new[] { "a", "b", "c" }, Does.Contain(p.Get<string>("metric")));
            var model = p.Get<BranchSelection>("model");
            branches.Add(model.Branch);
            if (model.Branch == "tree")
            {
                Assert.That(model.Parameters.Get<int>("leaves"), Is.InRange(2, 128));
                Assert.That(model.Parameters.Get<double>("rate"), Is.InRange(1e-3, 1));
            }

            modelled += proposal.Attributes!["gp"] == "model" ? 1 : 0;
            Complete(tuner, i, p, MixedLoss(p));
        }

        Assert.Multiple(() =>
        {
            Assert.That(modelled, Is.GreaterThanOrEqualTo(40 - tuner.StartupTrials));
            Assert.That(branches, Is.EquivalentTo(new[] { "tree", "linear", "none" }));
        });
    }

    [Test]
    public void StartsAtTheSpaceDefaultsOnlyWhenItHasSeenNoTrial()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", 0, 10, defaultValue: 7.5).Int("k", 1, 9, defaultValue: 2).Build();
        var fresh = new GaussianProcessTuner(space, null, 3);
        var first = fresh.Propose(0);
        Assert.That(first.Parameters, Is.EqualTo(space.Defaults));
        Assert.That(first.Attributes!["gp"], Is.EqualTo("defaults"));
        Assert.That(fresh.Propose(1).Attributes!["gp"], Is.EqualTo("startup"), "the defaults are tried once");

        // A study that already has a trial (enqueued, resumed or warm started) has its own start.
        var resumed = new GaussianProcessTuner(space, null, 3);
        resumed.ObserveRunning(new TuningTrial(0, space.DecodeParameters([0.1, 0.9])));
        var next = resumed.Propose(1);
        Assert.That(next.Attributes!["gp"], Is.EqualTo("startup"));
        Assert.That(next.Parameters, Is.Not.EqualTo(space.Defaults));
    }

    [Test]
    public void FindsTheOptimumOfAMixedConditionalSpace()
    {
        // Over 5 seeds, as one seed's run can stall in another branch for a while.
        var best = Enumerable.Range(0, 5).Select(seed => Minimise(new GaussianProcessTuner(MixedSpace, null, seed), MixedLoss, 50)).Order().ToList();
        TestContext.Out.WriteLine($"best per seed, sorted: {string.Join(", ", best.Select(b => b.ToString("G3")))}");
        Assert.That(best[2], Is.LessThan(0.01), "median: tree, about 8 leaves, metric b, bins 2");
        Assert.That(best[4], Is.LessThan(0.5), "worst seed");
    }

    [Test]
    public void ParallelProposalsSpreadOut()
    {
        var tuner = new GaussianProcessTuner(BraninSpace, null, 1);
        for (var i = 0; i < 12; i++)
        {
            var p = tuner.Propose(i).Parameters;
            Complete(tuner, i, p, Branin(p));
        }

        var pending = Enumerable.Range(12, 4).Select(i => tuner.Propose(i).Parameters).ToList();
        var distances = from a in pending
                        from b in pending
                        where !ReferenceEquals(a, b)
                        select Math.Sqrt(Math.Pow((a.Get<double>("x0") - b.Get<double>("x0")) / 15, 2) + Math.Pow((a.Get<double>("x1") - b.Get<double>("x1")) / 15, 2));
        Assert.That(distances.Min(), Is.GreaterThan(0.01));
    }

    [Test]
    public void BeatsRandomSearchOnHartmann6At30Trials()
    {
        double gp = 0, random = 0;
        for (var seed = 0; seed < 5; seed++)
        {
            gp += Math.Log10(Minimise(new GaussianProcessTuner(Hartmann6Space, null, seed), Hartmann6, 30) - Hartmann6Optimum) / 5;
            random += Math.Log10(Minimise(new RandomTuner(Hartmann6Space, null, seed), Hartmann6, 30) - Hartmann6Optimum) / 5;
        }

        TestContext.Out.WriteLine($"mean log10 regret gp {gp:F2}, random {random:F2}");
        Assert.That(gp, Is.LessThan(random - 0.5));
    }

    [Test]
    public void PastTheCapItFitsOnASubsetAndSaysSo()
    {
        var tuner = new GaussianProcessTuner(BraninSpace, new GaussianProcessTunerOptions { MaxModelTrials = 20 }, 1);
        TrialProposal? last = null;
        for (var i = 0; i < 25; i++)
        {
            last = tuner.Propose(i);
            Complete(tuner, i, last.Parameters, Branin(last.Parameters));
        }

        Assert.That(last!.Attributes!["gp.subset"], Does.Contain("20 of 24"));
        Assert.That(tuner.Model.Count, Is.EqualTo(20));
    }

    [Test]
    public void CatalogNamesItGpAndCopiesItsOptions()
    {
        var options = new GaussianProcessTunerOptions { StartupTrials = 3 };
        var factory = new MLContext(0).Tuning().Tuners.GaussianProcess(options);
        options.StartupTrials = 8;
        var tuner = (GaussianProcessTuner)factory.Create(BraninSpace, 0);
        Assert.That((factory.Name, tuner.StartupTrials), Is.EqualTo(("gp", 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxModelTrials = 2);
    }
}
