using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

public class CmaEsTunerTests
{
    private const int Seeds = 10;
    private const int Trials = 100;

    private static double MeanLogRegret(Func<HyperparameterSpace, int, IHyperparameterTuner> create, EvoTestFunction function) =>
        Enumerable.Range(0, Seeds).Average(seed => Math.Log10(Math.Max(EvoTestFunctions.BestRegret(create(function.Space, seed), function, Trials), 1e-12)));

    [Test]
    public void BeatsRandomSearchOnBranin() => AssertBeatsRandom(EvoTestFunctions.Branin, margin: 0.5);

    [Test]
    public void BeatsRandomSearchOnHartmann6() => AssertBeatsRandom(EvoTestFunctions.Hartmann6, margin: 0.3);

    private static void AssertBeatsRandom(EvoTestFunction function, double margin)
    {
        var cmaes = MeanLogRegret((space, seed) => new CmaEsTuner(space, null, seed), function);
        var random = MeanLogRegret((space, seed) => new RandomTuner(space, null, seed), function);
        TestContext.Out.WriteLine($"{function.Name}: mean log10 regret after {Trials} trials over {Seeds} seeds: CMA-ES {cmaes:F2}, random {random:F2}");
        Assert.That(cmaes, Is.LessThan(random - margin));
    }

    [Test]
    public void SameSeedGivesSameTrials_OtherSeedOthers()
    {
        static List<TrialParameters> Run(int seed)
        {
            var tuner = new CmaEsTuner(EvoTestFunctions.MixedConditionalSpace(), new CmaEsTunerOptions { Seed = seed });
            var proposals = new List<TrialParameters>();
            for (var id = 0; id < 60; id++)
            {
                var p = tuner.Propose(id).Parameters;
                proposals.Add(p);
                tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, EvoTestFunctions.MixedLoss(p)));
            }

            return proposals;
        }

        Assert.That(Run(5), Is.EqualTo(Run(5)));
        Assert.That(Run(6), Is.Not.EqualTo(Run(5)));
    }

    [Test]
    public void ProposalsStayInsideTheSpaceAndReachTheLargestIntegerAndTheLastBranch()
    {
        // From the centre (depth 2, branch "linear"), the loss asks for the largest depth and the last branch.
        var space = EvoTestFunctions.MixedConditionalSpace();
        var tuner = new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 1, StartPoint = CmaEsStartPoint.Centre });
        var noise = new Random(2);
        var branches = new HashSet<string>();
        var depths = new HashSet<int>();
        for (var id = 0; id < 300; id++)
        {
            var p = tuner.Propose(id).Parameters;
            Assert.That(space.Contains(p), Is.True, $"trial {id}: {p}");
            var branch = p.Get<BranchSelection>("trainer").Branch;
            var depth = p.Get<int>("depth");
            branches.Add(branch);
            depths.Add(depth);
            var loss = Math.Abs(depth - 3) + (branch == "none" ? 0 : 0.5) + (0.1 * noise.NextDouble());
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, loss));
        }

        Assert.That(depths, Does.Contain(3).And.Contain(2));
        Assert.That(branches, Does.Contain("none").And.Contain("linear"));
    }

    [Test]
    public void FindsTheOptimumOfAMixedConditionalSpace()
    {
        var space = EvoTestFunctions.MixedConditionalSpace();
        var tuner = new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 3 });
        var best = double.PositiveInfinity;
        for (var id = 0; id < 300; id++)
        {
            var p = tuner.Propose(id).Parameters;
            var loss = EvoTestFunctions.MixedLoss(p);
            best = Math.Min(best, loss);
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, loss));
        }

        // The defaults score about 4; the optimum is 0.
        Assert.That(best, Is.LessThan(0.5));
    }

    [Test]
    public void ParallelProposalsAreDistinctAndNeverWait()
    {
        var space = EvoTestFunctions.Hartmann6.Space;
        var tuner = new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 4 });
        var proposals = Enumerable.Range(0, 3 * tuner.PopulationSize).Select(id => tuner.Propose(id).Parameters).ToList();
        Assert.That(proposals, Is.Unique);
    }

    [Test]
    public void WithFourTrialsAtATimeStillBeatsRandomSearchOnBranin()
    {
        // Four workers, results arriving in a random order: late samples are injected, not wasted.
        var function = EvoTestFunctions.Branin;
        var logs = new List<double>();
        for (var seed = 0; seed < Seeds; seed++)
        {
            var tuner = new CmaEsTuner(function.Space, new CmaEsTunerOptions { Seed = seed });
            var order = new Random(seed);
            var running = new List<(int Id, TrialParameters Parameters)>();
            var best = double.PositiveInfinity;
            var next = 0;
            while (next < Trials || running.Count > 0)
            {
                while (running.Count < 4 && next < Trials)
                {
                    running.Add((next, tuner.Propose(next).Parameters));
                    next++;
                }

                var done = running[order.Next(running.Count)];
                running.Remove(done);
                var value = function.At(done.Parameters);
                best = Math.Min(best, value);
                tuner.Complete(EvoTestFunctions.CompletedTrial(done.Id, done.Parameters, value));
            }

            logs.Add(Math.Log10(Math.Max(best - function.Minimum, 1e-12)));
        }

        var random = MeanLogRegret((space, seed) => new RandomTuner(space, null, seed), function);
        TestContext.Out.WriteLine($"branin, 4 at a time: CMA-ES {logs.Average():F2}, random {random:F2}");
        Assert.That(logs.Average(), Is.LessThan(random - 1));
    }

    [Test]
    public void GenerationIsUpdatedWhenLambdaResultsAreIn_LateResultsJoinTheNextGeneration()
    {
        var function = EvoTestFunctions.Branin;
        var tuner = new CmaEsTuner(function.Space, new CmaEsTunerOptions { Seed = 4, Surrogate = false, EvaluateStartPoint = false });
        var lambda = tuner.PopulationSize;
        var proposals = Enumerable.Range(0, lambda + 3).Select(id => tuner.Propose(id).Parameters).ToList();
        void Complete(int id) => tuner.Complete(EvoTestFunctions.CompletedTrial(id, proposals[id], function.At(proposals[id])));
        for (var id = 0; id < lambda - 1; id++)
        {
            Complete(id);
        }

        Assert.That(tuner.GenerationCount, Is.Zero);
        Complete(lambda - 1);
        Assert.That(tuner.GenerationCount, Is.EqualTo(1));

        // Three samples of generation 0 end late: they count towards generation 1, which then needs λ − 3 more.
        for (var id = lambda; id < lambda + 3; id++)
        {
            Complete(id);
        }

        Assert.That(tuner.GenerationCount, Is.EqualTo(1));
        for (var id = lambda + 3; id < 2 * lambda; id++)
        {
            proposals.Add(tuner.Propose(id).Parameters);
            Complete(id);
        }

        Assert.That(tuner.GenerationCount, Is.EqualTo(2));
    }

    [Test]
    public void FailedTrialsAreResampledAndTheSearchGoesOn()
    {
        // Every third trial fails, whatever its parameters: the search must still beat random search
        // given the same number of trials that succeeded.
        var function = EvoTestFunctions.Branin;
        var logs = new List<double>();
        for (var seed = 0; seed < Seeds; seed++)
        {
            var tuner = new CmaEsTuner(function.Space, new CmaEsTunerOptions { Seed = seed });
            var best = double.PositiveInfinity;
            var succeeded = 0;
            for (var id = 0; succeeded < 80; id++)
            {
                var p = tuner.Propose(id).Parameters;
                if (id % 3 == 0)
                {
                    tuner.Complete(EvoTestFunctions.FailedTrial(id, p));
                    continue;
                }

                var value = function.At(p);
                best = Math.Min(best, value);
                succeeded++;
                tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, value));
            }

            Assert.That(tuner.GenerationCount, Is.GreaterThan(8));
            logs.Add(Math.Log10(best - function.Minimum));
        }

        var random = Enumerable.Range(0, Seeds).Average(seed => Math.Log10(EvoTestFunctions.BestRegret(new RandomTuner(function.Space, null, seed), function, 80)));
        Assert.That(logs.Average(), Is.LessThan(random - 0.3));
    }

    [Test]
    public void ReplayedHistoryIsAcceptedAndItsBestTrialIsTheStart()
    {
        var function = EvoTestFunctions.Hartmann6;
        var replay = new RandomTuner(function.Space, null, 9);
        var history = Enumerable.Range(0, 30).Select(id => replay.Propose(id).Parameters).ToList();
        var tuner = new CmaEsTuner(function.Space, new CmaEsTunerOptions { Seed = 9 });
        for (var id = 0; id < history.Count; id++)
        {
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, history[id], function.At(history[id])));
        }

        var best = function.Space.EncodeParameters(history.MinBy(function.At)!);
        var first = Enumerable.Range(30, 20).Select(id => function.Space.EncodeParameters(tuner.Propose(id).Parameters)).ToList();
        var centre = Enumerable.Repeat(0.5, best.Length).ToArray();
        double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
        Assert.That(first.Average(p => Distance(p, best)), Is.LessThan(first.Average(p => Distance(p, centre))));
    }

    [Test]
    public void SurrogateUpdatesGenerationsBeforeAllSamplesAreEvaluated()
    {
        // On a quadratic the surrogate ranks perfectly, so generations need fewer than λ trials.
        static int Generations(bool surrogate)
        {
            var space = EvoTestFunction.Box((-1, 1), (-1, 1), (-1, 1), (-1, 1));
            var tuner = new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 2, Surrogate = surrogate, Restarts = false, EvaluateStartPoint = false });
            for (var id = 0; id < 200; id++)
            {
                var p = tuner.Propose(id).Parameters;
                var loss = Enumerable.Range(0, 4).Sum(i => (i + 1) * Math.Pow(p.Get<double>($"x{i}") - 0.2, 2));
                tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, loss));
            }

            return tuner.GenerationCount;
        }

        var plain = Generations(false);
        Assert.That(plain, Is.EqualTo(200 / new CmaEsTuner(EvoTestFunction.Box((-1, 1), (-1, 1), (-1, 1), (-1, 1))).PopulationSize));
        Assert.That(Generations(true), Is.GreaterThan(2 * plain));
    }

    [Test]
    public void FirstTrialIsTheDefaults_UnlessTurnedOff()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("rate", 1e-4, 1, logScale: true, defaultValue: 0.01).Int("depth", 1, 10, defaultValue: 7).Build();
        var first = new CmaEsTuner(space).Propose(0).Parameters;
        Assert.That(first.Get<double>("rate"), Is.EqualTo(0.01).Within(1e-9));
        Assert.That(first.Get<int>("depth"), Is.EqualTo(7));

        var sampled = new CmaEsTuner(space, new CmaEsTunerOptions { EvaluateStartPoint = false }).Propose(0).Parameters;
        Assert.That(sampled.Get<double>("rate"), Is.Not.EqualTo(0.01).Within(1e-9));
    }

    [Test]
    public void EvaluateMeanProposesEachGenerationsMeanOnce()
    {
        var function = EvoTestFunctions.Branin;
        var tuner = new CmaEsTuner(function.Space, new CmaEsTunerOptions { Seed = 1, EvaluateMean = true, Surrogate = false });
        var lambda = tuner.PopulationSize;

        // Each generation: its mean, then λ samples.
        for (var id = 0; id < 3 * (lambda + 1); id++)
        {
            var p = tuner.Propose(id).Parameters;
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, function.At(p)));
        }

        Assert.That(tuner.GenerationCount, Is.EqualTo(3));
    }

    [Test]
    public void IpopRestartDoublesThePopulationOnceConverged()
    {
        // The sphere converges fast, so the function-value and step tolerances stop the first run.
        var space = EvoTestFunction.Box((-1, 1), (-1, 1), (-1, 1));
        var tuner = new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 7 });
        var initial = tuner.PopulationSize;
        for (var id = 0; id < 4000 && tuner.RestartCount == 0; id++)
        {
            var p = tuner.Propose(id).Parameters;
            var loss = Enumerable.Range(0, 3).Sum(i => Math.Pow(p.Get<double>($"x{i}") - 0.3, 2));
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, loss));
        }

        Assert.That(tuner.RestartCount, Is.EqualTo(1));
        Assert.That(tuner.PopulationSize, Is.EqualTo(2 * initial));
    }

    [Test]
    public void WorksInAParallelStudyFromTheCatalog()
    {
        var function = EvoTestFunctions.Branin;
        var tuning = new MLContext(seed: 1).Tuning();
        var study = tuning.CreateStudy(function.Space, tuning.Tuners.CmaEs());
        var result = study.Optimize(context => function.At(context.Parameters), new StudyLimits { MaxTrials = 80, MaxConcurrentTrials = 4 });
        Assert.That(result.CompletedCount, Is.EqualTo(80));
        Assert.That(result.BestTrial!.Value!.Value - function.Minimum, Is.LessThan(1));
    }

    [TestCase("one double")]
    [TestCase("all discrete")]
    [TestCase("branches only")]
    public void FindsTheOptimumOfSmallAndDiscreteSpaces(string kind)
    {
        var (space, loss) = SmallSpace(kind);
        var (best, _) = Drive(new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 1 }), space, loss);
        Assert.That(best, Is.LessThan(0.01));
    }

    // Finding the optimum of 80 or 4 configurations in 150 trials is what random search does too, so "all discrete"
    // also asks CMA-ES to settle on it: a clear share of its last 50 proposals are optimal (measured 0.36), where
    // random search's share is about 1/80 (measured 0). "Branches only" checks the proposals' validity only: with one
    // 4-way coordinate, CMA-ES's margin keeps every branch likely (0.24 of its last 50 proposals optimal, as random
    // search's 0.24), so no bar separates it from random search there.
    [TestCase("all discrete", 0.3)]
    public void ConvergesOnTheOptimumOfDiscreteSpacesWhereRandomSearchDoesNot(string kind, double share)
    {
        var (space, loss) = SmallSpace(kind);
        var (_, cmaEs) = Drive(new CmaEsTuner(space, new CmaEsTunerOptions { Seed = 1 }), space, loss);
        var (_, random) = Drive(new RandomTuner(space, new RandomTunerOptions { Seed = 1 }), space, loss);
        TestContext.Out.WriteLine($"{kind}: optimal share of the last 50 proposals: CMA-ES {cmaEs:0.00}, random {random:0.00}");
        Assert.Multiple(() =>
        {
            Assert.That(cmaEs, Is.GreaterThanOrEqualTo(share), "CMA-ES settles on the optimum");
            Assert.That(random, Is.LessThan(share), "the bar is one random search does not clear");
        });
    }

    private static (HyperparameterSpace Space, Func<TrialParameters, double> Loss) SmallSpace(string kind) => kind switch
    {
        "one double" => (HyperparameterSpace.CreateBuilder().Double("x", -3, 3).Build(),
            p => Math.Abs(p.Get<double>("x") - 1.7)),
        "all discrete" => (HyperparameterSpace.CreateBuilder().Int("k", 1, 10).Choice("c", "a", "b", "c", "d").Boolean("b").Build(),
            p => Math.Abs(p.Get<int>("k") - 7) + (p.Get<string>("c") == "d" ? 0 : 1) + (p.Get<bool>("b") ? 0 : 1)),
        _ => (HyperparameterSpace.CreateBuilder().Conditional("model", c => c.Branch("a").Branch("b").Branch("c").Branch("d")).Build(),
            p => p.Get<BranchSelection>("model").Branch == "d" ? 0 : 1),
    };

    /// <summary>150 sequential trials; the best loss, and the share of the last 50 proposals in the optimum's basin (loss below 1).</summary>
    private static (double Best, double OptimalShareAtTheEnd) Drive(IHyperparameterTuner tuner, HyperparameterSpace space, Func<TrialParameters, double> loss)
    {
        var best = double.PositiveInfinity;
        var optimalAtTheEnd = 0;
        for (var id = 0; id < 150; id++)
        {
            var p = tuner.Propose(id)!.Parameters;
            Assert.That(space.Contains(p), Is.True);
            var value = loss(p);
            best = Math.Min(best, value);
            optimalAtTheEnd += id >= 100 && value < 1 ? 1 : 0;
            tuner.Complete(EvoTestFunctions.CompletedTrial(id, p, value));
        }

        return (best, optimalAtTheEnd / 50.0);
    }

    [Test]
    public void EmptySpaceProposesItsDefaults()
    {
        var space = HyperparameterSpace.CreateBuilder().Constant("threads", 1).Build();
        var tuner = new CmaEsTuner(space);
        Assert.That(tuner.Propose(0).Parameters, Is.EqualTo(space.Defaults));
    }

    [Test]
    public void InvalidOptionsAreRejectedWithTheirName()
    {
        var options = new CmaEsTunerOptions();
        Assert.Multiple(() =>
        {
            Assert.That(() => options.InitialSigma = 0, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("InitialSigma"));
            Assert.That(() => options.InitialSigma = 1.5, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("InitialSigma"));
            Assert.That(() => options.PopulationSize = 1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("PopulationSize"));
            Assert.That(() => options.PopulationGrowth = 0.5, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("PopulationGrowth"));
            Assert.That(() => options.ToleranceFunction = -1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ToleranceFunction"));
            Assert.That(() => options.ToleranceX = double.NaN, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ToleranceX"));
            Assert.That(() => options.MaxConditionNumber = 1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxConditionNumber"));
            Assert.That(() => options.MaxResamples = -1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxResamples"));
            Assert.That(() => options.InitialRandomTrials = -1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("InitialRandomTrials"));
            Assert.That(() => new CmaEsTuner(null!), Throws.ArgumentNullException);
        });
    }
}
