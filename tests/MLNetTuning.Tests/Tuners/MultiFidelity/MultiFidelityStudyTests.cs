using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

public class MultiFidelityStudyTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Double("y", 0, 1).Build();

    /// <summary>Trains "budget" steps, reporting each, and stops early when told to.</summary>
    private static async Task<double> Curve(TrialContext context, CancellationToken token)
    {
        var x = context.Parameters.Get<double>("x");
        var y = context.Parameters.Get<double>("y");
        var steps = (int)Math.Round(context.Budget ?? 1);
        var loss = double.NaN;
        for (var step = 1; step <= steps; step++)
        {
            token.ThrowIfCancellationRequested();
            await Task.Yield();
            loss = ((x - 0.3) * (x - 0.3)) + ((y - 0.6) * (y - 0.6)) + (1.0 / step);
            if (context.Report(step, loss) == TrialDecision.Stop)
            {
                throw new TrialPrunedException();
            }
        }

        return loss;
    }

    private static int Rung(TuningTrial trial) => int.Parse(trial.Attributes["rung"], CultureInfo.InvariantCulture);

    [Test]
    public async Task HyperbandRunsItsBracketsWithParallelTrials()
    {
        var tuner = new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 3, Seed = 7 });
        var study = new TuningStudy(tuner);

        var result = await study.OptimizeAsync(Curve, new StudyLimits { MaxConcurrentTrials = 2 });

        var byId = result.Trials.ToDictionary(t => t.Id);
        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
            Assert.That(result.Trials, Has.Count.EqualTo((9 + 3 + 1) + (5 + 1) + 3));
            Assert.That(result.Trials.Select(t => t.State), Is.All.EqualTo(TrialState.Completed));
            Assert.That(result.Trials.Select(t => t.Budget), Is.All.InRange(1.0, 9.0));
            Assert.That(result.Trials.Select(t => t.IntermediateValues.Count), Is.EqualTo(result.Trials.Select(t => (int)Math.Round(t.Budget!.Value))), "every step's value is kept for learning curves");
            foreach (var promoted in result.Trials.Where(t => Rung(t) > 0))
            {
                var parent = byId[promoted.ParentTrialId!.Value];
                Assert.That(Rung(parent), Is.EqualTo(Rung(promoted) - 1));
                Assert.That(parent.Attributes["bracket"], Is.EqualTo(promoted.Attributes["bracket"]));
                Assert.That(parent.Parameters, Is.EqualTo(promoted.Parameters));
                Assert.That(promoted.Budget, Is.EqualTo(parent.Budget * 3).Within(1e-9));
            }
        });
    }

    [Test]
    public async Task AshaPromotesWhileOtherTrialsRun()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 3 });
        var study = new TuningStudy(tuner);

        var result = await study.OptimizeAsync(Curve, new StudyLimits { MaxConcurrentTrials = 2, MaxTrials = 40 });

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.MaxTrials));
            Assert.That(result.Trials, Has.Count.EqualTo(40));
            Assert.That(result.CompletedCount, Is.EqualTo(40));
            Assert.That(result.Trials.Select(t => t.Budget), Is.All.AnyOf(1.0, 3.0, 9.0));
            Assert.That(result.Trials.Count(t => t.Budget == 9.0), Is.GreaterThan(0), "some trials reach the full budget");
            Assert.That(result.Trials.Where(t => t.ParentTrialId is not null).Select(t => t.ParentTrialId), Is.Unique, "a trial is promoted once");
        });
    }

    [Test]
    public async Task AshaStoppingModePrunesTrialsEarly()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Mode = AshaMode.Stopping, Seed = 3 });
        var study = new TuningStudy(tuner);

        var result = await study.OptimizeAsync(Curve, new StudyLimits { MaxConcurrentTrials = 2, MaxTrials = 20 });

        var pruned = result.Trials.Where(t => t.State == TrialState.Pruned).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pruned, Is.Not.Empty);
            Assert.That(pruned.Select(t => t.IntermediateValues.Keys.Max()), Is.All.AnyOf(1, 3), "stopped at a rung");
            Assert.That(result.Trials.Where(t => t.State == TrialState.Completed).Select(t => t.IntermediateValues.Count), Is.All.EqualTo(9));
        });
    }

    [Test]
    public async Task CancellingAHyperbandStudyEndsItCleanly()
    {
        var tuner = new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 27, Seed = 1 });
        var study = new TuningStudy(tuner);
        using var cancel = new CancellationTokenSource();
        var completed = 0;
        study.TrialCompleted += (_, _) =>
        {
            if (Interlocked.Increment(ref completed) == 5)
            {
                cancel.Cancel();
            }
        };

        var result = await study.OptimizeAsync(Curve, new StudyLimits { MaxConcurrentTrials = 2 }, cancel.Token);

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.Cancelled));
            Assert.That(result.Trials.Select(t => t.State), Has.None.EqualTo(TrialState.Running));
            Assert.That(result.Trials, Has.Count.LessThan(27 + 9 + 3 + 1));
        });
    }

    [Test]
    public async Task AshaStopsAtTheTimeBudget()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5 });
        var study = new TuningStudy(tuner);

        var result = await study.OptimizeAsync(
            async (context, token) =>
            {
                await Task.Delay(5, token);
                return await Curve(context, token);
            },
            new StudyLimits { MaxConcurrentTrials = 2, TimeBudget = TimeSpan.FromMilliseconds(300) });

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
            Assert.That(result.Trials.Select(t => t.State), Has.None.EqualTo(TrialState.Running));
        });
    }

    private static IHyperparameterTuner BracketTuner(string kind) => kind switch
    {
        "sh" => new SuccessiveHalvingTuner(Space, new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 2, Seed = 5 }),
        "hyperband" => new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 3, Seed = 5 }),
        _ => new BohbTuner(Space, new BohbTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 4, Seed = 5 }),
    };

    /// <summary>A reopened study puts the stored trials back into their brackets and rungs and goes on as if never stopped.</summary>
    [TestCase("sh", 4)]
    [TestCase("sh", 13)]
    [TestCase("hyperband", 5)]
    [TestCase("hyperband", 11)]
    [TestCase("hyperband", 15)]
    [TestCase("bohb", 20)]
    public void AReopenedBracketStudyGoesOnWhereItStopped(string kind, int trialsBeforeStop)
    {
        static (int Id, TrialParameters Parameters, double? Budget, int? Parent, string Bracket, string Rung) Row(TuningTrial t) =>
            (t.Id, t.Parameters, t.Budget, t.ParentTrialId, t.Attributes["bracket"], t.Attributes["rung"]);
        double Objective(TrialContext c) => Curve(c, CancellationToken.None).GetAwaiter().GetResult();

        var straight = new TuningStudy(BracketTuner(kind)).Optimize(Objective);

        var store = new InMemoryTrialStore();
        var options = new TuningStudyOptions { Name = "reopened", Store = store };
        var stopped = new TuningStudy(BracketTuner(kind), options).Optimize(Objective, new StudyLimits { MaxTrials = trialsBeforeStop });
        var resumed = new TuningStudy(BracketTuner(kind), options).Optimize(Objective);

        Assert.Multiple(() =>
        {
            Assert.That(stopped.Trials, Has.Count.EqualTo(trialsBeforeStop));
            Assert.That(resumed.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
            Assert.That(resumed.Trials.Select(Row), Is.EqualTo(straight.Trials.Select(Row)), "same trials, budgets, parents, brackets and rungs");
            Assert.That(resumed.Trials.Select(t => t.Value), Is.EqualTo(straight.Trials.Select(t => t.Value)));
        });
    }

    [Test]
    public void BohbFitsItsModelOnceABudgetHasEnoughResultsAndIsReproducible()
    {
        List<TrialParameters> Run(out BohbTuner tuner)
        {
            tuner = new BohbTuner(Space, new BohbTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 3, Seed = 11 });
            var result = new TuningStudy(tuner).Optimize(c => Curve(c, CancellationToken.None).GetAwaiter().GetResult());
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
            return result.Trials.Select(t => t.Parameters).ToList();
        }

        var first = Run(out var bohb);
        var second = Run(out _);

        Assert.Multiple(() =>
        {
            Assert.That(bohb.ModelBudget, Is.EqualTo(9.0), "the largest budget with d + 1 + 2 = 5 results: budget 9 got 1 + 1 + 3");
            Assert.That(second, Is.EqualTo(first));
        });
    }

    [Test]
    public void BohbProposesNearTheGoodRegionOnceFitted()
    {
        var tuner = new BohbTuner(Space, new BohbTunerOptions { MinBudget = 1, MaxBudget = 1, RandomFraction = 0, Seed = 2 });
        var study = new TuningStudy(tuner);
        var result = study.Optimize(c => Curve(c, CancellationToken.None).GetAwaiter().GetResult(), new StudyLimits { MaxTrials = 60 });

        static double Distance(TuningTrial t) => Math.Abs(t.Parameters.Get<double>("x") - 0.3) + Math.Abs(t.Parameters.Get<double>("y") - 0.6);
        var early = result.Trials.Take(10).Average(Distance);
        var late = result.Trials.Skip(40).Average(Distance);

        Assert.That(late, Is.LessThan(early / 2));
    }

    /// <summary>Options have no order: the two good ones sit at both ends of the list, the bad ones between them.</summary>
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void BohbModelsChoicesWithoutAnOrder(int seed)
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Choice("trainer", "good-a", "bad-b", "bad-c", "bad-d", "bad-e", "good-f")
            .Double("x", 0, 1)
            .Int("n", 1, 4)
            .Build();
        var tuner = new BohbTuner(space, new BohbTunerOptions { MinBudget = 1, MaxBudget = 1, RandomFraction = 0, Seed = seed });
        var result = new TuningStudy(tuner).Optimize(
            c => (c.Parameters.Get<string>("trainer").StartsWith("good", StringComparison.Ordinal) ? 0 : 1) + Math.Abs(c.Parameters.Get<double>("x") - 0.5) + (0.1 * c.Parameters.Get<int>("n")),
            new StudyLimits { MaxTrials = 60 });

        var late = result.Trials.Skip(30).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(late.Count(t => t.Parameters.Get<string>("trainer").StartsWith("good", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(24), "at least 80% of model-based proposals choose a good option");
            Assert.That(result.Trials.Select(t => t.Parameters.Get<int>("n")).Distinct().Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }), "every integer, the largest included, can be proposed");
        });
    }
}
