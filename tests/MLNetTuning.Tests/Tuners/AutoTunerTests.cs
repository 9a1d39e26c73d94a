using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Tuners;

public class AutoTunerTests
{
    private static HyperparameterSpace Numeric(int d) => Box(d, 0, 1);

    private static HyperparameterSpace ConditionalSpace { get; } = HyperparameterSpace.CreateBuilder()
        .Conditional("model", b => b.Branch("tree", s => s.Int("leaves", 2, 64)).Branch("linear", s => s.Double("l2", 1e-6, 1, logScale: true)))
        .Double("rate", 0, 1)
        .Build();

    private static HyperparameterSpace ConditionalChoiceHeavy { get; } = HyperparameterSpace.CreateBuilder()
        .Conditional("model", b => b.Branch("tree", s => s.Int("leaves", 2, 64)).Branch("linear", s => s.Choice("loss", "l1", "l2")))
        .Double("rate", 0, 1)
        .Build();

    private static HyperparameterSpace ChoiceHeavy { get; } = HyperparameterSpace.CreateBuilder()
        .Choice("a", "x", "y").Choice("b", "x", "y", "z").Double("c", 0, 1).Int("d", 1, 9).Build();

    private static HyperparameterSpace OneChoiceInFour { get; } = HyperparameterSpace.CreateBuilder()
        .Choice("a", "x", "y").Double("b", 0, 1).Double("c", 0, 1).Int("d", 1, 9).Build();

    /// <summary>A trainer choice of <paramref name="trainers"/> branches of <paramref name="values"/> numbers each.</summary>
    private static HyperparameterSpace Trainers(int trainers, int values) => HyperparameterSpace.CreateBuilder()
        .Conditional("trainer", b =>
        {
            for (var t = 0; t < trainers; t++)
            {
                b.Branch($"t{t}", s =>
                {
                    for (var v = 0; v < values; v++)
                    {
                        s.Double($"v{v}", 0, 1);
                    }
                });
            }
        })
        .Build();

    private static IEnumerable<TestCaseData> Rules()
    {
        yield return new TestCaseData(Numeric(6), new AutoTunerOptions(), "gp", "tpe").SetArgDisplayNames("numeric 6-D, budget unknown: GP then TPE");
        yield return new TestCaseData(Numeric(6), new AutoTunerOptions { MaxTrials = 100 }, "gp", null).SetArgDisplayNames("numeric 6-D, 100 trials: GP");
        yield return new TestCaseData(OneChoiceInFour, new AutoTunerOptions { MaxTrials = 50 }, "gp", null).SetArgDisplayNames("one choice in four values: GP");
        yield return new TestCaseData(ChoiceHeavy, new AutoTunerOptions { MaxTrials = 50 }, "tpe", null).SetArgDisplayNames("half choices: TPE");
        yield return new TestCaseData(ConditionalSpace, new AutoTunerOptions { MaxTrials = 50 }, "gp", null).SetArgDisplayNames("conditional, mostly numeric: GP");
        yield return new TestCaseData(ConditionalChoiceHeavy, new AutoTunerOptions { MaxTrials = 50 }, "tpe", null).SetArgDisplayNames("conditional, a third choices: TPE");
        yield return new TestCaseData(Numeric(25), new AutoTunerOptions { MaxTrials = 50 }, "tpe", null).SetArgDisplayNames("25-D: TPE");
        yield return new TestCaseData(Trainers(5, 6), new AutoTunerOptions { MaxTrials = 50 }, "gp", null).SetArgDisplayNames("5 trainers of 6 values, 31 in all, 7 set together: GP");
        yield return new TestCaseData(Trainers(2, 21), new AutoTunerOptions { MaxTrials = 50 }, "tpe", null).SetArgDisplayNames("2 trainers of 21 values, 22 set together: TPE");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { MaxTrials = 50, Parallelism = 16 }, "tpe", null).SetArgDisplayNames("16 workers: TPE");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { MaxTrials = 50, SecondsPerTrial = 0.05 }, "tpe", null).SetArgDisplayNames("cheap trials: TPE");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { MaxTrials = 50, SecondsPerTrial = 30 }, "gp", null).SetArgDisplayNames("costly trials: GP");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { MaxTrials = 5000 }, "cmaes", null).SetArgDisplayNames("long continuous run: CMA-ES");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { BudgetedTrainers = true }, "asha", null).SetArgDisplayNames("budget unit, open-ended: ASHA");
        yield return new TestCaseData(Numeric(4), new AutoTunerOptions { BudgetedTrainers = true, MaxTrials = 12 }, "gp", null).SetArgDisplayNames("budget unit, no room for a bracket: GP");
        yield return new TestCaseData(HyperparameterSpace.CreateBuilder().Constant("k", 3).Build(), new AutoTunerOptions(), "random", null).SetArgDisplayNames("nothing searched: random");
    }

    [Test]
    public void ItsReasonSaysHowManyValuesOneConfigurationSets()
    {
        Assert.That(AutoTuner.Choose(Trainers(5, 6), new AutoTunerOptions { MaxTrials = 50 }).Reason, Does.Contain("31 mostly numeric values in conditional branches (at most 7 set together)"));
        Assert.That(AutoTuner.Choose(Trainers(2, 21), new AutoTunerOptions { MaxTrials = 50 }).Reason, Does.Contain("up to 22 of its 43 searched values are set together"));
    }

    [TestCaseSource(nameof(Rules))]
    public void ChoiceFollowsItsRules(HyperparameterSpace space, AutoTunerOptions options, string tuner, string? then)
    {
        var choice = AutoTuner.Choose(space, options);
        TestContext.Out.WriteLine(choice);
        Assert.That((choice.Tuner, choice.Then), Is.EqualTo((tuner, then)));
        Assert.That(choice.Reason, Is.Not.Empty);
    }

    [Test]
    public void ChoosingAshaGivesTheSchedulerItself()
    {
        var tuner = new MLContext(0).Tuning().Tuners.Auto(new AutoTunerOptions { BudgetedTrainers = true }).Create(Numeric(3), 1);
        Assert.That(tuner, Is.InstanceOf<IMultiFidelityTuner>());
        Assert.That(((IMultiFidelityTuner)tuner).MaxBudget, Is.EqualTo(27));
    }

    [Test]
    public void HandsOverFromTheGpToTpeWithTheWholeHistoryAndSaysWhy()
    {
        var tuner = (AutoTuner)new MLContext(0).Tuning().Tuners.Auto().Create(BraninSpace, 3);
        var first = tuner.Propose(0)!;
        Assert.That(first.Attributes!["auto"], Is.EqualTo("gp"));
        Assert.That(first.Attributes["gp"], Is.EqualTo("defaults"), "the GP starts at the space's defaults");
        Assert.That(first.Parameters, Is.EqualTo(BraninSpace.Defaults));
        Assert.That(first.Attributes["auto.reason"], Does.StartWith("gp, then tpe after 200 trials"));
        var second = tuner.Propose(1)!;
        Assert.That(second.Attributes!["auto"], Is.EqualTo("gp"));
        Assert.That(second.Attributes.ContainsKey("auto.reason"), Is.False, "the reason comes once per tuner");

        // A history of 200 trials near the optimum at (π, 2.275): the handed-over TPE must already use it.
        var random = new Random(1);
        for (var id = 0; id < AutoTuner.GaussianProcessTrials; id++)
        {
            var p = BraninSpace.DecodeParameters([(Math.PI + 5 + random.NextDouble() - 0.5) / 15, (2.275 + random.NextDouble() - 0.5) / 15]);
            Complete(tuner, id, p, Branin(p));
        }

        var after = tuner.Propose(AutoTuner.GaussianProcessTrials)!;
        Assert.Multiple(() =>
        {
            Assert.That(after.Attributes!["auto"], Is.EqualTo("tpe"));
            Assert.That(after.Attributes["tpe"], Is.EqualTo("model"), "TPE saw the history");
            Assert.That(after.Attributes.ContainsKey("auto.reason"), Is.True);
        });
    }

    [Test]
    public void ProposesWhatTheChosenTunerWould()
    {
        var auto = new MLContext(0).Tuning().Tuners.Auto().Create(BraninSpace, 5);
        var gp = new GaussianProcessTuner(BraninSpace, null, 5);
        for (var i = 0; i < 14; i++)
        {
            var a = auto.Propose(i)!.Parameters;
            Assert.That(a, Is.EqualTo(gp.Propose(i).Parameters), $"trial {i}");
            Complete(auto, i, a, Branin(a));
            Complete(gp, i, a, Branin(a));
        }
    }

    [Test]
    public void IsTheDefaultOfStudies()
    {
        var study = new MLContext(0).Tuning().CreateStudy(Numeric(3));
        Assert.That(study.Tuner, Is.InstanceOf<AutoTuner>());
        Assert.That(((AutoTuner)study.Tuner).Choice.Tuner, Is.EqualTo("gp"));
    }
}
