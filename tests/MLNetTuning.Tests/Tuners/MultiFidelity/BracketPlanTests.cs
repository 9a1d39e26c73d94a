using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

public class BracketPlanTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();

    [Test]
    public void HyperbandBracketsMatchLiEtAlForR81Eta3()
    {
        var tuner = new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 81, ReductionFactor = 3 });

        var brackets = tuner.Brackets.Select(b => (b.Configurations, b.Budget)).ToList();

        Assert.That(brackets, Is.EqualTo(new[] { (81, 1.0), (34, 3.0), (15, 9.0), (8, 27.0), (5, 81.0) }));
    }

    [Test]
    public void HyperbandRungsKeepAThirdAndTripleTheBudget()
    {
        var brackets = BracketPlan.Hyperband(1, 81, 3);

        Assert.Multiple(() =>
        {
            Assert.That(brackets[0].Rungs.Select(r => (r.Configurations, r.Budget)), Is.EqualTo(new[] { (81, 1.0), (27, 3.0), (9, 9.0), (3, 27.0), (1, 81.0) }));
            Assert.That(brackets[1].Rungs.Select(r => (r.Configurations, r.Budget)), Is.EqualTo(new[] { (34, 3.0), (11, 9.0), (3, 27.0), (1, 81.0) }));
            Assert.That(brackets[4].Rungs, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void BudgetsScaleWithTheMinimum()
    {
        var brackets = BracketPlan.Hyperband(0.5, 40.5, 3);

        Assert.That(brackets.Select(b => b.Budget), Is.EqualTo(new[] { 0.5, 1.5, 4.5, 13.5, 40.5 }).Within(1e-12));
    }

    [TestCase(0.0, 81.0, 3.0, "minBudget")]
    [TestCase(-1.0, 81.0, 3.0, "minBudget")]
    [TestCase(10.0, 5.0, 3.0, "maxBudget")]
    [TestCase(1.0, double.PositiveInfinity, 3.0, "maxBudget")]
    [TestCase(1.0, 81.0, 1.0, "reductionFactor")]
    [TestCase(1.0, 81.0, double.NaN, "reductionFactor")]
    public void InvalidRangesAndEtaAreRejected(double min, double max, double eta, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BracketPlan.Hyperband(min, max, eta));

        Assert.That(error!.ParamName, Is.EqualTo(parameter));
    }

    [Test]
    public void OptionsRejectBadValuesWithTheirNames()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new HyperbandTunerOptions { MinBudget = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MinBudget"));
            Assert.That(() => new AshaTunerOptions { MaxBudget = -3 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxBudget"));
            Assert.That(() => new BohbTunerOptions { ReductionFactor = 0.5 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("ReductionFactor"));
            Assert.That(() => new SuccessiveHalvingTuner(Space, new SuccessiveHalvingTunerOptions { MinBudget = 10, MaxBudget = 5 }), Throws.ArgumentException.With.Message.Contains("MaxBudget (5) is below MinBudget (10)"));
            Assert.That(() => new Microsoft.ML.MLContext(1).Tuning().Tuners.Asha(new AshaTunerOptions { MinBudget = 9, MaxBudget = 3 }), Throws.ArgumentException.With.Message.Contains("below MinBudget"));
        });
    }

}
