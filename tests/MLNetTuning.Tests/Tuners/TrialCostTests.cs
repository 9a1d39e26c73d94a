using Microsoft.ML;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Tuners;

/// <summary>Cost-aware GP (EI per second with cost cooling): trials report simulated seconds through their start
/// and completion times, so nothing sleeps.</summary>
public class TrialCostTests
{
    private static readonly HyperparameterSpace Space = Box(2, 0, 1);

    /// <summary>Two equally good optima, (0.125, 0.6) and (0.625, 0.6): the space repeats every 0.5 in x0.</summary>
    private static double TwinLoss(TrialParameters p) =>
        1 - Math.Cos(4 * Math.PI * (p.Get<double>("x0") - 0.125)) + (4 * Math.Pow(p.Get<double>("x1") - 0.6, 2));

    /// <summary>The half x0 ≥ 0.5 costs 20 times as much.</summary>
    private static double TwinSeconds(TrialParameters p) => p.Get<double>("x0") >= 0.5 ? 20 : 1;

    /// <summary>Runs trials one at a time on a simulated clock until the loss reaches <paramref name="target"/>.</summary>
    /// <returns>The simulated seconds spent (all trials' when the target was not reached) and the proposals.</returns>
    private static (double Seconds, bool Reached, List<TrialProposal> Proposals) Run(IHyperparameterTuner tuner, Func<TrialParameters, double> seconds, double target, int trials, Func<TrialParameters, double>? objective = null)
    {
        var start = DateTimeOffset.UnixEpoch;
        var clock = start;
        var proposals = new List<TrialProposal>();
        for (var i = 0; i < trials; i++)
        {
            var proposal = tuner.Propose(i)!;
            proposals.Add(proposal);
            var trial = new TuningTrial(i, proposal.Parameters, startedAt: clock);
            clock += TimeSpan.FromSeconds(seconds(proposal.Parameters));
            var loss = (objective ?? TwinLoss)(proposal.Parameters);
            trial.Restore(TrialState.Completed, loss, loss, null, clock);
            tuner.Complete(trial);
            if (loss <= target)
            {
                return ((clock - start).TotalSeconds, true, proposals);
            }
        }

        return ((clock - start).TotalSeconds, false, proposals);
    }

    [Test]
    public void CostAwareGpSpendsFewerSecondsToReachTheTargetWhereHalfTheSpaceIs20TimesDearer()
    {
        double aware = 0, plain = 0;
        var awareReached = 0;
        for (var seed = 0; seed < 5; seed++)
        {
            var a = Run(new GaussianProcessTuner(Space, null, seed), TwinSeconds, 0.01, 40);
            var p = Run(new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { CostAware = false }, seed), TwinSeconds, 0.01, 40);
            TestContext.Out.WriteLine($"seed {seed}: cost-aware {a.Seconds} s ({a.Proposals.Count} trials), plain {p.Seconds} s ({p.Proposals.Count} trials)");
            aware += a.Seconds;
            plain += p.Seconds;
            awareReached += a.Reached ? 1 : 0;
            Assert.That(a.Proposals.Any(q => q.Attributes!.ContainsKey("gp.cost")), Is.True, $"seed {seed}: the cost-aware GP said it was");
            Assert.That(p.Proposals.Any(q => q.Attributes!.ContainsKey("gp.cost")), Is.False, $"seed {seed}");
        }

        Assert.That(awareReached, Is.EqualTo(5), "the cost-aware GP reaches the target on every seed");
        // 0.75 since the GP's prior mean is the worst loss seen (the plain GP finds an optimum sooner, in either half); 0.56 before.
        Assert.That(aware, Is.LessThan(0.8 * plain), "simulated seconds to the target, summed over 5 seeds");
    }

    [TestCase("branin", 5.0)]
    [TestCase("hartmann6", 5.0)]
    [TestCase("hartmann6", 0.001)]
    public void UniformCostsLeaveProposalsUnchanged(string function, double seconds)
    {
        var (space, objective) = function == "branin" ? (BraninSpace, (Func<TrialParameters, double>)Branin) : (Hartmann6Space, Hartmann6);
        var aware = Run(new GaussianProcessTuner(space, null, 4), _ => seconds, double.NegativeInfinity, 20, objective).Proposals;
        var plain = Run(new GaussianProcessTuner(space, new GaussianProcessTunerOptions { CostAware = false }, 4), _ => seconds, double.NegativeInfinity, 20, objective).Proposals;
        Assert.That(aware.Select(a => a.Parameters), Is.EqualTo(plain.Select(p => p.Parameters)));
        Assert.That(aware.Any(a => a.Attributes!.ContainsKey("gp.cost")), Is.False);
    }

    [Test]
    public void SpreadOfSubSecondTrialsDoesNotCount()
    {
        // Milliseconds that vary 20-fold are timing noise next to a GP proposal's cost.
        var aware = Run(new GaussianProcessTuner(Space, null, 2), p => TwinSeconds(p) / 1000, double.NegativeInfinity, 15).Proposals;
        var plain = Run(new GaussianProcessTuner(Space, new GaussianProcessTunerOptions { CostAware = false }, 2), p => TwinSeconds(p) / 1000, double.NegativeInfinity, 15).Proposals;
        Assert.That(aware.Select(a => a.Parameters), Is.EqualTo(plain.Select(p => p.Parameters)));
    }

    [Test]
    public void CostExponentCoolsAsTheTimeBudgetIsSpent()
    {
        var model = new TrialCostModel([0]);
        double[] x = [0.1, 0.2, 0.7, 0.8];
        double[] seconds = [1, 1, 20, 20];
        Assert.That(model.Fit(x, seconds, spent: 40, budget: 400), Does.Contain("EI per second^1.00").And.Contain("40 of the budget's 400 s"));
        Assert.That(model.Alpha, Is.EqualTo(1));
        model.Fit(x, seconds, spent: 220, budget: 400);
        Assert.That(model.Alpha, Is.EqualTo(0.5).Within(1e-12), "half the budget left after cost-awareness began");
        Span<double> gradient = stackalloc double[1];
        Assert.That(model.Penalty([0.15], gradient), Is.LessThan(model.Penalty([0.75], gradient)), "the dear half is penalised");
        model.Fit(x, seconds, spent: 400, budget: 400);
        Assert.That((model.Alpha, model.Penalty([0.75], gradient)), Is.EqualTo((0.0, 0.0)), "the budget spent: the best, whatever it costs");
    }

    [Test]
    public void WithoutABudgetTheExponentCoolsWithTheTrials()
    {
        var model = new TrialCostModel([0]);
        model.Fit([0.1, 0.2, 0.7, 0.8], [1, 1, 20, 20], spent: 42, budget: null);
        Assert.That(model.Alpha, Is.EqualTo(1));
        model.Fit([0.1, 0.2, 0.7, 0.8, 0.3, 0.4, 0.5, 0.9, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.85], [1, 1, 20, 20, 1, 1, 20, 20, 1, 1, 1, 1, 1, 20, 20, 20], spent: 200, budget: null);
        Assert.That(model.Alpha, Is.EqualTo(0.5).Within(1e-12), "√(4/16)");
    }

    [Test]
    public void AutoSaysOnceThatItBecameCostAwareAndWhy()
    {
        var tuner = new MLContext(0).Tuning().Tuners.Auto(new AutoTunerOptions { MaxTrials = 30, TimeBudget = TimeSpan.FromMinutes(10) }).Create(Space, 3);
        var proposals = Run(tuner, TwinSeconds, double.NegativeInfinity, 16).Proposals;
        var announced = proposals.Where(p => p.Attributes!.ContainsKey("auto.cost")).ToList();
        Assert.That(announced, Has.Count.EqualTo(1));
        Assert.That(announced[0].Attributes!["auto.cost"], Does.StartWith("cost-aware from here: EI per second^").And.Contain("20x as long as the fastest").And.Contain("of the budget's 600 s"));
        Assert.That(announced[0].Attributes!["auto"], Is.EqualTo("gp"));
    }

    [TestCase("gp", "gp.cost")]
    [TestCase("auto", "auto.cost")]
    public void TheCliGivesItsTimeBudgetToTheGpAndAuto(string name, string attribute)
    {
        var factory = TunerNames.Resolve(new MLContext(0).Tuning().Tuners, name, timeBudget: TimeSpan.FromSeconds(300));
        var proposals = Run(factory.Create(Space, 1), TwinSeconds, double.NegativeInfinity, 8).Proposals;
        Assert.That(proposals.Where(p => p.Attributes!.ContainsKey(attribute)).Select(p => p.Attributes![attribute]), Has.Some.Contain("of the budget's 300 s"));
        Assert.That(TunerNames.Resolve(new MLContext(0).Tuning().Tuners, "tpe", timeBudget: TimeSpan.FromSeconds(300)).Name, Is.EqualTo("tpe"), "tuners without a time budget ignore it");
    }

    [Test]
    public void TheCliCanSwitchTheGpsCostAwarenessOff()
    {
        var tuners = new MLContext(0).Tuning().Tuners;
        int Weighed(string costAware) => Run(TunerNames.Resolve(tuners, "gp", timeBudget: TimeSpan.FromSeconds(300), tunerOptions: new Dictionary<string, string> { ["costaware"] = costAware }).Create(Space, 1), TwinSeconds, double.NegativeInfinity, 12)
            .Proposals.Count(p => p.Attributes?.ContainsKey("gp.cost") == true);

        Assert.That(Weighed("true"), Is.GreaterThan(0), "on: proposals weigh the 20-fold cost");
        Assert.That(Weighed("false"), Is.Zero, "--tuner-option CostAware=false: none does");
    }

    [Test]
    public void TimeBudgetMustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianProcessTunerOptions().TimeBudget = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoTunerOptions().TimeBudget = TimeSpan.FromSeconds(-1));
    }
}
