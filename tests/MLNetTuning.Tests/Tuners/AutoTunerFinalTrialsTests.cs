using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Tuners;

/// <summary>Auto's final trials: in the last tenth of a known budget its GP proposes the lowest predicted loss.</summary>
public class AutoTunerFinalTrialsTests
{
    private static readonly TunerCatalog Tuners = new MLContext(0).Tuning().Tuners;

    private static readonly HyperparameterSpace Square = Box(2, 0, 1);

    private static double Bowl(TrialContext t) => Math.Pow(t.Parameters.Get<double>("x0") - 0.3, 2) + Math.Pow(t.Parameters.Get<double>("x1") - 0.6, 2);

    [Test]
    public void TheLastTenthOfAKnownTrialBudgetGoesToTheLowestPredictedLoss()
    {
        var tuner = Tuners.Auto(new AutoTunerOptions { MaxTrials = 20 }).Create(BraninSpace, 2);
        var kinds = new List<string>();
        TrialProposal? firstFinal = null;
        for (var i = 0; i < 20; i++)
        {
            var proposal = tuner.Propose(i)!;
            kinds.Add(proposal.Attributes!["gp"]);
            firstFinal ??= kinds[^1] == "exploit" ? proposal : null;
            Complete(tuner, i, proposal.Parameters, Branin(proposal.Parameters));
        }

        Assert.That(kinds.Take(18), Has.None.EqualTo("exploit"));
        Assert.That(kinds.Skip(18), Has.All.EqualTo("exploit"));
        Assert.That(firstFinal!.Attributes!["auto.final"], Is.EqualTo("the last 2 of 20 trials go to the lowest predicted loss"));
    }

    [Test]
    public void AFinalProposalScoresBetterThanExpectedImprovementsOnAverage()
    {
        // After the same 14 trials, the first final proposal (the last 2 of 16) (lowest predicted loss) against the GP's usual one (highest
        // expected improvement), which still explores: exploiting must pay immediately, on average over seeds.
        double final = 0, usual = 0;
        const int Seeds = 6;
        for (var seed = 0; seed < Seeds; seed++)
        {
            var auto = Tuners.Auto(new AutoTunerOptions { MaxTrials = 16 }).Create(Hartmann6Space, seed);
            var gp = new GaussianProcessTuner(Hartmann6Space, null, seed);
            for (var i = 0; i < 14; i++)
            {
                var p = auto.Propose(i)!.Parameters;
                Assert.That(gp.Propose(i).Parameters, Is.EqualTo(p), "the same GP before the final trials");
                Complete(auto, i, p, Hartmann6(p));
                Complete(gp, i, p, Hartmann6(p));
            }

            final += Hartmann6(auto.Propose(14)!.Parameters) / Seeds;
            usual += Hartmann6(gp.Propose(14).Parameters) / Seeds;
        }

        TestContext.Out.WriteLine($"mean loss of trial 15: final {final:F3}, usual {usual:F3}");
        Assert.That(final, Is.LessThan(usual));
    }

    [Test]
    public void EachOptimizeRunCountsItsOwnFinalTrials()
    {
        var tuning = new MLContext(3).Tuning();
        using var study = tuning.CreateStudy(Square);
        study.Optimize(Bowl, new StudyLimits { MaxTrials = 10 });
        study.Optimize(Bowl, new StudyLimits { MaxTrials = 10 });
        var exploit = study.Trials.Where(t => t.Attributes.GetValueOrDefault("gp") == "exploit").Select(t => t.Id).ToList();
        Assert.That(exploit, Is.EqualTo(new[] { 9, 19 }), "the last 1 of each run's 10 trials");

    }

    [Test]
    public void AStudysTotalTrialBudgetCountsByTrialIdOverItsRuns()
    {
        // The CLI's --trials: a study-wide budget. A first run of 12 has its own last trial (id 11); the second
        // run, without a limit of its own, ends at the study's 20th trial and exploits ids 18 and 19.
        using var study = new MLContext(4).Tuning().CreateStudy(Square, options: new TuningStudyOptions { TotalTrialBudget = 20 });
        study.Optimize(Bowl, new StudyLimits { MaxTrials = 12 });
        study.Optimize(Bowl);
        Assert.That(study.Trials, Has.Count.EqualTo(20));
        var exploit = study.Trials.Where(t => t.Attributes.GetValueOrDefault("gp") == "exploit").Select(t => t.Id).ToList();
        Assert.That(exploit, Is.EqualTo(new[] { 11, 18, 19 }));
        Assert.That(study.Trials[18].Attributes["auto.final"], Is.EqualTo("the last 2 of the study's 20 trials go to the lowest predicted loss"));
    }

    [Test]
    public void WithoutAKnownBudgetNoTrialIsFinal()
    {
        var tuner = Tuners.Auto().Create(BraninSpace, 1);
        for (var i = 0; i < 15; i++)
        {
            var proposal = tuner.Propose(i)!;
            Assert.That(proposal.Attributes!["gp"], Is.Not.EqualTo("exploit"), $"trial {i}");
            Complete(tuner, i, proposal.Parameters, Branin(proposal.Parameters));
        }
    }

    [Test]
    public void TheLastTenthOfATimeBudgetGoesToTheLowestPredictedLoss()
    {
        var tuner = Tuners.Auto(new AutoTunerOptions { TimeBudget = TimeSpan.FromMilliseconds(50) }).Create(BraninSpace, 1);
        var kinds = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var proposal = tuner.Propose(i)!;
            kinds.Add(proposal.Attributes!["gp"]);
            if (i == 0)
            {
                Thread.Sleep(100);
            }

            Complete(tuner, i, proposal.Parameters, Branin(proposal.Parameters));
        }

        // The defaults and the Latin hypercube come first whatever the clock; every model proposal after the budget's 90% exploits.
        Assert.That(kinds[0], Is.EqualTo("defaults"));
        Assert.That(kinds.Where(k => k is not "defaults" and not "startup"), Is.Not.Empty.And.All.EqualTo("exploit"));
    }
}
