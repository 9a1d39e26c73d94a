using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Tuners;

public class TpeTunerTests
{
    /// <summary>The default (joint kernels, neighbour widths for the good density, Scott's for the bad), Optuna's multivariate rule and Optuna's independent sampling.</summary>
    private static IEnumerable<TestCaseData> Variants()
    {
        yield return new TestCaseData(new TpeTunerOptions()).SetArgDisplayNames("tpe");
        yield return new TestCaseData(new TpeTunerOptions { GoodBandwidth = TpeBandwidth.Scott, BadBandwidth = TpeBandwidth.Scott }).SetArgDisplayNames("tpe-mv");
        yield return new TestCaseData(new TpeTunerOptions { Multivariate = false, LatinHypercubeStartup = false }).SetArgDisplayNames("tpe-univariate");
    }

    private static HyperparameterSpace ConditionalSpace { get; } = HyperparameterSpace.CreateBuilder()
        .Conditional("model", b => b
            .Branch("tree", s => s.Int("leaves", 2, 128, logScale: true).Double("rate", 1e-3, 1, logScale: true)
                .Conditional("boost", c => c.Branch("dart", t => t.Double("drop", 0, 0.5)).Branch("gbdt")))
            .Branch("linear", s => s.Float("l2", 1e-6f, 1f, logScale: true).Boolean("bias"))
            .Branch("none"))
        .Choice("metric", "a", "b", "c")
        .Int("bins", -5, 5)
        .Constant("fixed", 3)
        .Nested("inner", s => s.Double("z", 0, 1).Conditional("only", b => b.Branch("one", t => t.Int("k", 1, 3))))
        .Build();

    /// <summary>Best at tree, 8 leaves, rate 0.05, gbdt, metric b, bins 2, z 0.7; every other branch is worse.</summary>
    private static double ConditionalLoss(TrialParameters p)
    {
        var model = p.Get<BranchSelection>("model");
        var loss = model.Branch switch
        {
            "tree" => Math.Pow(Math.Log2(model.Parameters.Get<int>("leaves")) - 3, 2)
                + Math.Pow(Math.Log10(model.Parameters.Get<double>("rate")) + 1.3, 2)
                + (model.Parameters.Get<BranchSelection>("boost").Branch == "gbdt" ? 0 : 0.5),
            "linear" => 3 + Math.Abs(Math.Log10(model.Parameters.Get<float>("l2")) + 3),
            _ => 5,
        };
        var inner = p.Get<TrialParameters>("inner");
        return loss + (p.Get<string>("metric") == "b" ? 0 : 0.5) + (Math.Abs(p.Get<int>("bins") - 2) / 4.0)
            + Math.Pow(inner.Get<double>("z") - 0.7, 2) + (inner.Get<BranchSelection>("only").Parameters.Get<int>("k") / 10.0);
    }

    [TestCaseSource(nameof(Variants))]
    public void BeatsRandomOnBranin(TpeTunerOptions options) =>
        AssertBeatsRandom(options, BraninSpace, Branin, BraninOptimum, trials: 80);

    [TestCaseSource(nameof(Variants))]
    public void BeatsRandomOnHartmann6(TpeTunerOptions options) =>
        AssertBeatsRandom(options, Hartmann6Space, Hartmann6, Hartmann6Optimum, trials: 80);

    /// <summary>Over 10 seeds, TPE must win at least 7 and lower the mean log10 regret by at least 0.2.</summary>
    private static void AssertBeatsRandom(TpeTunerOptions options, HyperparameterSpace space, Func<TrialParameters, double> f, double optimum, int trials)
    {
        var wins = 0;
        double tpeLog = 0, randomLog = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            var tpe = Minimise(new TpeTuner(space, options, seed), f, trials) - optimum;
            var random = Minimise(new RandomTuner(space, null, seed), f, trials) - optimum;
            wins += tpe < random ? 1 : 0;
            tpeLog += Math.Log10(Math.Max(tpe, 1e-12)) / 10;
            randomLog += Math.Log10(Math.Max(random, 1e-12)) / 10;
        }

        TestContext.Out.WriteLine($"wins {wins}/10, mean log10 regret tpe {tpeLog:F2}, random {randomLog:F2}");
        Assert.Multiple(() =>
        {
            Assert.That(wins, Is.GreaterThanOrEqualTo(7));
            Assert.That(tpeLog, Is.LessThan(randomLog - 0.2));
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void SameSeedGivesTheSameSequence(TpeTunerOptions options)
    {
        List<TrialParameters> Run(int seed)
        {
            var tuner = new TpeTuner(ConditionalSpace, options, seed);
            var proposed = new List<TrialParameters>();
            for (var i = 0; i < 30; i++)
            {
                var p = tuner.Propose(i).Parameters;
                proposed.Add(p);
                Complete(tuner, i, p, ConditionalLoss(p));
            }

            return proposed;
        }

        var first = Run(4);
        Assert.Multiple(() =>
        {
            Assert.That(Run(4), Is.EqualTo(first));
            Assert.That(Run(5), Is.Not.EqualTo(first));
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void ProposalsStayInsideTheSpaceAndVisitEveryBranch(TpeTunerOptions options)
    {
        var tuner = new TpeTuner(ConditionalSpace, options, 11);
        var branches = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            var p = tuner.Propose(i).Parameters;
            Assert.That(ConditionalSpace.Contains(p), Is.True, $"trial {i}: {p}");
            branches.Add(p.Get<BranchSelection>("model").Branch);
            Complete(tuner, i, p, ConditionalLoss(p));
        }

        Assert.That(branches, Is.EquivalentTo(new[] { "tree", "linear", "none" }));
    }

    [TestCaseSource(nameof(Variants))]
    public void LearnsTheBestBranchAndItsParameters(TpeTunerOptions options)
    {
        var tuner = new TpeTuner(ConditionalSpace, options, 3);
        var late = new List<TrialParameters>();
        for (var i = 0; i < 80; i++)
        {
            var p = tuner.Propose(i).Parameters;
            Complete(tuner, i, p, ConditionalLoss(p));
            if (i >= 50)
            {
                late.Add(p);
            }
        }

        var trees = late.Select(p => p.Get<BranchSelection>("model")).Where(m => m.Branch == "tree").ToList();
        var leaves = trees.Select(t => t.Parameters.Get<int>("leaves")).Order().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(trees, Has.Count.GreaterThanOrEqualTo(late.Count / 2));
            Assert.That(leaves[leaves.Count / 2], Is.InRange(4, 16));
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void ParallelProposalsAreDistinct(TpeTunerOptions options)
    {
        var tuner = new TpeTuner(BraninSpace, options, 2);
        for (var i = 0; i < 15; i++)
        {
            var p = tuner.Propose(i).Parameters;
            Complete(tuner, i, p, Branin(p));
        }

        var pending = Enumerable.Range(15, 8).Select(id => tuner.Propose(id).Parameters).ToList();
        Assert.That(pending, Is.Unique);

        // The pending trials end in any order; the tuner goes on.
        foreach (var (p, id) in pending.Select((p, k) => (p, 15 + k)).Reverse())
        {
            Complete(tuner, id, p, Branin(p));
        }

        Assert.That(BraninSpace.Contains(tuner.Propose(23).Parameters), Is.True);
    }

    [Test]
    public void ConstantLiarSpreadsPendingProposals()
    {
        // On a one-dimensional bowl every proposal without the liar aims at the same spot; with it, running
        // trials count as bad and push later proposals apart. Mean pairwise distance, summed over seeds.
        var space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();
        double Spread(bool liar)
        {
            var total = 0.0;
            for (var seed = 0; seed < 10; seed++)
            {
                var tuner = new TpeTuner(space, new TpeTunerOptions { ConstantLiar = liar }, seed);
                for (var i = 0; i < 12; i++)
                {
                    var p = tuner.Propose(i).Parameters;
                    Complete(tuner, i, p, Math.Abs(p.Get<double>("x") - 0.5));
                }

                var xs = Enumerable.Range(12, 16).Select(id => tuner.Propose(id).Parameters.Get<double>("x")).ToList();
                total += xs.SelectMany(a => xs.Select(b => Math.Abs(a - b))).Average();
            }

            return total;
        }

        var with = Spread(liar: true);
        var without = Spread(liar: false);
        TestContext.Out.WriteLine($"spread with liar {with:F3}, without {without:F3}");
        Assert.That(with, Is.GreaterThan(without * 1.2));
    }

    [Test]
    public void AcceptsReplayedPrunedAndFailedTrials()
    {
        var tuner = new TpeTuner(BraninSpace, null, 1);
        var donor = new RandomTuner(BraninSpace, null, 9);
        for (var i = 0; i < 20; i++)
        {
            var p = donor.Propose(i).Parameters;
            var state = (i % 5) switch { 3 => TrialState.Pruned, 4 => TrialState.Failed, _ => TrialState.Completed };
            var trial = new TuningTrial(i, p);
            if (state == TrialState.Pruned)
            {
                trial.AddIntermediate(i, Branin(p));
            }

            trial.Restore(state, state == TrialState.Failed ? null : Branin(p), state == TrialState.Failed ? null : Branin(p), null, DateTimeOffset.UtcNow);
            tuner.Complete(trial);
        }

        var proposal = tuner.Propose(20);
        Assert.Multiple(() =>
        {
            Assert.That(BraninSpace.Contains(proposal.Parameters), Is.True);
            Assert.That(proposal.Attributes!["tpe"], Is.EqualTo("model"));
        });
    }

    [Test]
    public void RejectsATrialFromAnotherSpace()
    {
        var tuner = new TpeTuner(BraninSpace);
        var alien = new TuningTrial(0, new TrialParameters([new("y", 1.0)]));
        alien.Restore(TrialState.Completed, 1, 1, null, DateTimeOffset.UtcNow);
        var error = Assert.Throws<ArgumentException>(() => tuner.Complete(alien))!;
        Assert.That(error.Message, Does.Contain("Trial 0"));
    }

    [Test]
    public void HandlesSpacesWithNothingToSearch()
    {
        var space = HyperparameterSpace.CreateBuilder().Constant("c", "x").Choice("one", 1).Build();
        var tuner = new TpeTuner(space);
        for (var i = 0; i < 15; i++)
        {
            var p = tuner.Propose(i).Parameters;
            Assert.That(space.Contains(p), Is.True);
            Complete(tuner, i, p, i);
        }
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.StartupTrials = -1), nameof(TpeTunerOptions.StartupTrials)).SetArgDisplayNames(nameof(TpeTunerOptions.StartupTrials), "-1");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.CandidateCount = 0), nameof(TpeTunerOptions.CandidateCount)).SetArgDisplayNames(nameof(TpeTunerOptions.CandidateCount), "0");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.GoodFraction = 0), nameof(TpeTunerOptions.GoodFraction)).SetArgDisplayNames(nameof(TpeTunerOptions.GoodFraction), "0");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.GoodFraction = 1.5), nameof(TpeTunerOptions.GoodFraction)).SetArgDisplayNames(nameof(TpeTunerOptions.GoodFraction), "1.5");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.GoodFraction = double.NaN), nameof(TpeTunerOptions.GoodFraction)).SetArgDisplayNames(nameof(TpeTunerOptions.GoodFraction), "double.NaN");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.MaxGoodTrials = 0), nameof(TpeTunerOptions.MaxGoodTrials)).SetArgDisplayNames(nameof(TpeTunerOptions.MaxGoodTrials), "0");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.PriorWeight = 0), nameof(TpeTunerOptions.PriorWeight)).SetArgDisplayNames(nameof(TpeTunerOptions.PriorWeight), "0");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.PriorWeight = double.PositiveInfinity), nameof(TpeTunerOptions.PriorWeight)).SetArgDisplayNames(nameof(TpeTunerOptions.PriorWeight), "double.PositiveInfinity");
        yield return new TestCaseData(new Action<TpeTunerOptions>(o => o.FullWeightTrials = 0), nameof(TpeTunerOptions.FullWeightTrials)).SetArgDisplayNames(nameof(TpeTunerOptions.FullWeightTrials), "0");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void RejectsInvalidOptions(Action<TpeTunerOptions> set, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => set(new TpeTunerOptions()))!;
        Assert.That(error.ParamName, Is.EqualTo(name));
    }

    [Test]
    public void DefaultsKeepOptunasSettings()
    {
        var o = new TpeTunerOptions();
        Assert.Multiple(() =>
        {
            Assert.That(o.StartupTrials, Is.EqualTo(10));
            Assert.That(o.CandidateCount, Is.EqualTo(24));
            Assert.That(o.GoodFraction, Is.EqualTo(0.1));
            Assert.That(o.MaxGoodTrials, Is.EqualTo(25));
            Assert.That(o.PriorWeight, Is.EqualTo(1.0));
            Assert.That(o.FullWeightTrials, Is.EqualTo(25));
            Assert.That(o.ConsiderMagicClip, Is.True);
            Assert.That(o.ConsiderEndpoints, Is.False);
            Assert.That(o.ConstantLiar, Is.True);
        });
    }

    [Test]
    public void CatalogNamesTheVariantsAndCopiesTheOptions()
    {
        var tuners = new MLContext(seed: 1).Tuning().Tuners;
        var options = new TpeTunerOptions { Seed = 3 };
        var factory = tuners.Tpe(options);
        options.Multivariate = false;
        Assert.Multiple(() =>
        {
            Assert.That(factory.Name, Is.EqualTo("tpe"));
            Assert.That(((TpeTuner)factory.Create(BraninSpace, 0)).Multivariate, Is.True);
            Assert.That(tuners.Tpe(new TpeTunerOptions { GoodBandwidth = TpeBandwidth.Scott, BadBandwidth = TpeBandwidth.Scott }).Name, Is.EqualTo("tpe-mv"));
            Assert.That(tuners.Tpe(new TpeTunerOptions { Multivariate = false }).Name, Is.EqualTo("tpe-univariate"));
        });
    }

    [Test]
    public void TunesAnMLNetExperiment()
    {
        // A conditional trainer choice (two logistic regressions) past the startup trials, two at a time.
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.25, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(tuning.BinaryClassification.LbfgsLogisticRegression(), tuning.BinaryClassification.SdcaLogisticRegression());
        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 12, Seed = 2, ParallelTrials = 2 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Tpe())
            .Run();
        Assert.Multiple(() =>
        {
            Assert.That(result.Trials, Has.Count.EqualTo(12));
            Assert.That(result.Trials.Count(t => t.Attributes.TryGetValue("tpe", out var phase) && phase == "model"), Is.GreaterThanOrEqualTo(1));
            TestContext.Out.WriteLine($"measured: best AUC {result.BestMetric:F4}");
            Assert.That(result.BestMetric, Is.GreaterThan(0.99), "measured 0.9981");
        });
    }

    [Test]
    public void RunsInAParallelStudy()
    {
        var study = new TuningStudy(new TpeTuner(BraninSpace, null, 7));
        var result = study.Optimize(context => Branin(context.Parameters), new StudyLimits { MaxTrials = 40, MaxConcurrentTrials = 4 });
        Assert.Multiple(() =>
        {
            Assert.That(result.CompletedCount, Is.EqualTo(40));
            Assert.That(result.Trials.Select(t => t.Parameters), Is.Unique);
            Assert.That(result.BestTrial!.Value, Is.LessThan(3.0));
        });
    }
}
