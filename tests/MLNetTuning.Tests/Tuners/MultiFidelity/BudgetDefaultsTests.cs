using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

/// <summary>Issue 18, item 5: multi-fidelity defaults that fit the budget, said out loud.</summary>
public class BudgetDefaultsTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();

    private static List<(ChannelMessageKind Kind, string Line)> Subscribe(MLContext ml)
    {
        var lines = new List<(ChannelMessageKind, string)>();
        ml.Log += (_, e) =>
        {
            if (e.Source == TuningStudy.LogSource)
            {
                lock (lines)
                {
                    lines.Add((e.Kind, e.RawMessage));
                }
            }
        };
        return lines;
    }

    private static StudyResult Run(MLContext ml, TunerFactory tuner, int maxTrials) =>
        ml.Tuning().CreateStudy(Space, tuner, seed: 1).Optimize(c => c.Parameters.Get<double>("x") / (c.Budget ?? 1), new StudyLimits { MaxTrials = maxTrials });

    [Test]
    public void HyperbandsDefaultsUnderFortyTrialsWarnBeforeTheFirstTrialWithTheNumbers()
    {
        var ml = new MLContext(seed: 0);
        var log = Subscribe(ml);
        var result = Run(ml, new TunerCatalog().Hyperband(), maxTrials: 40);

        Assert.Multiple(() =>
        {
            Assert.That(result.Warnings, Has.Count.EqualTo(1));
            Assert.That(result.Warnings[0], Is.EqualTo("Hyperband over budgets 1–81 with η = 3: its first bracket needs 121 trials (81 at 1, 27 at 3, 9 at 9, 3 at 27, 1 at 81), but MaxTrials is 40, so no trial is trained beyond budget 1. Raise MaxTrials to at least 121, or raise MinBudget to 3 (3 halvings, 40 trials per bracket)."));
            Assert.That(log[0], Is.EqualTo((ChannelMessageKind.Warning, result.Warnings[0])), "the warning comes before the first trial's line");
            Assert.That(log.Skip(1).All(l => l.Kind == ChannelMessageKind.Info), Is.True);

            // What the warning says happens: every trial ran at the smallest budget.
            Assert.That(result.Trials.Select(t => t.Budget).Distinct(), Is.EqualTo(new double?[] { 1 }));
        });
    }

    [Test]
    public void TheSuggestedMinBudgetFitsTheCap_AndACapThatFitsGivesNoWarning()
    {
        var fitted = Run(new MLContext(0), new TunerCatalog().Hyperband(new HyperbandTunerOptions { MinBudget = 3 }), maxTrials: 40);
        Assert.Multiple(() =>
        {
            Assert.That(fitted.Warnings, Is.Empty);
            Assert.That(fitted.Trials.Max(t => t.Budget), Is.EqualTo(81), "one bracket reaches the full budget");
            Assert.That(Run(new MLContext(0), new TunerCatalog().Hyperband(), maxTrials: 121).Warnings, Is.Empty);
            Assert.That(new MLContext(0).Tuning().CreateStudy(Space, new TunerCatalog().Hyperband(), seed: 1).Optimize(_ => 1, new StudyLimits { MaxTrials = null, TimeBudget = TimeSpan.FromSeconds(1) }).Warnings, Is.Empty, "no cap, nothing to check");
        });
    }

    [Test]
    public void SuccessiveHalvingAndAshaAreCheckedToo()
    {
        var sh = Run(new MLContext(0), new TunerCatalog().SuccessiveHalving(new SuccessiveHalvingTunerOptions { MaxBudget = 27 }), maxTrials: 20);
        var asha = Run(new MLContext(0), new TunerCatalog().Asha(new AshaTunerOptions { MaxBudget = 9 }), maxTrials: 10);
        Assert.Multiple(() =>
        {
            Assert.That(sh.Warnings.Single(), Does.StartWith("SuccessiveHalving over budgets 1–27 with η = 3: its first bracket needs 40 trials (27 at 1, 9 at 3, 3 at 9, 1 at 27), but MaxTrials is 20, so no trial is trained beyond budget 1.").And.EndWith("raise MinBudget to 3 (2 halvings, 13 trials per bracket)."));
            Assert.That(asha.Warnings.Single(), Does.Contain("needs 13 trials").And.Contain("MaxTrials is 10"));
            Assert.That(Run(new MLContext(0), new TunerCatalog().Asha(new AshaTunerOptions { MaxBudget = 9 }), maxTrials: 13).Warnings, Is.Empty);
        });
    }

    [Test]
    public void ATimeBudgetThatCannotFinishABracketWarnsAfterTheFirstTrials()
    {
        static StudyResult Timed(int maxBrackets, double secondsPerBudget, TimeSpan time) =>
            new MLContext(0).Tuning().CreateStudy(Space, new TunerCatalog().Hyperband(new HyperbandTunerOptions { MaxBudget = 27, MaxBrackets = maxBrackets }), seed: 1)
                .Optimize(
                    c =>
                    {
                        Thread.Sleep(TimeSpan.FromSeconds(secondsPerBudget * c.Budget!.Value));
                        return c.Parameters.Get<double>("x");
                    },
                    new StudyLimits { MaxTrials = null, TimeBudget = time });

        // 27 + 9·3 + 3·9 + 1·27 = 108 budget units at 30 ms each: about 3 s, against a 1 s budget.
        var short_ = Timed(maxBrackets: 1, secondsPerBudget: 0.03, TimeSpan.FromSeconds(1));
        var enough = Timed(maxBrackets: 1, secondsPerBudget: 0.001, TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(short_.Warnings.Single(), Does.Match(@"^Hyperband over budgets 1–27 with η = 3: its first bracket needs 40 trials, about \d+ s if a trial's time grows with its budget as trial \d's 0\.\d\d s at budget 1 suggests, but the time budget is 1 s"));
            Assert.That(short_.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
            Assert.That(enough.Warnings, Is.Empty);
            Assert.That(enough.StopReason, Is.EqualTo(StudyStopReason.TunerFinished), "the bracket did finish in time");
        });
    }

    [Test]
    public void TheBestTrialIsTheBestAtTheHighestBudgetReachedUnlessAskedOtherwise()
    {
        foreach (var across in new[] { false, true })
        {
            var study = new TuningStudy(new TunerCatalog().Hyperband().Create(Space, 0), new TuningStudyOptions { Direction = OptimizationDirection.Maximize, RankAcrossBudgets = across });
            var lucky = study.Tell(Space.Defaults.With("x", 0.1), 0.95, budget: 3);
            var full = study.Tell(Space.Defaults.With("x", 0.2), 0.90, budget: 9);
            study.Tell(Space.Defaults.With("x", 0.3), 0.97, budget: 1);
            Assert.That(study.BestTrial, Is.SameAs(across ? study.Trials[2] : full), $"RankAcrossBudgets = {across}");
            Assert.That(lucky.ToString(), Does.Contain("(budget 3)"), "a trial names its budget beside its parameters");
        }
    }

    [Test]
    public void AnExperimentSaysOncePerTrainerHowTheTunersBudgetsBecomeItsUnit()
    {
        var ml = new MLContext(seed: 1);
        var log = Subscribe(ml);
        var tuning = ml.Tuning();
        var data = GeneratedData.Binary(ml, 300, seed: 1);
        var pipeline = new TunablePipeline().Append(tuning.BinaryClassification.FastTree(), tuning.BinaryClassification.LightGbm().WithBudget("iterations", 5, 45));
        var result = tuning.CreateExperiment(pipeline, options: new TuningExperimentOptions { MaxTrials = 13, Seed = 3 })
            .SetTuner(tuning.Tuners.SuccessiveHalving(new SuccessiveHalvingTunerOptions { MaxBudget = 9 }))
            .SetTrainValidationData(data, data)
            .Run();

        var ranges = log.Select(l => l.Line).Where(l => l.Contains("for tuner budget", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Study.CompletedCount, Is.EqualTo(13));
            Assert.That(ranges, Has.Count.EqualTo(2), string.Join("\n", ranges));
            Assert.That(ranges, Has.One.EqualTo("FastTree: trees 10–200 for tuner budget 1–9, on a log scale (the unit's default range; choose it with WithBudget(\"trees\", min, max))."));
            Assert.That(ranges, Has.One.EqualTo("LightGbm: iterations 5–45 for tuner budget 1–9, on a log scale (set by WithBudget)."));
            Assert.That(result.BestTrial!.Budget, Is.EqualTo(9), "the best is one trained at the highest budget");
        });
    }
}
