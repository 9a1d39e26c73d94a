using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

public class SuccessiveHalvingTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();

    [Test]
    public void ARungIsPromotedOnlyWhenCompleteAndKeepsTheBestThird()
    {
        var tuner = new SuccessiveHalvingTuner(Space, new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 1, Seed = 4 });
        var study = new TuningStudy(tuner);
        var rung0 = Enumerable.Range(0, 9).Select(_ => study.Ask()!).ToList();

        Assert.That(study.Ask(), Is.Null, "the bracket must wait while its first rung runs");
        foreach (var trial in rung0)
        {
            study.Tell(trial, trial.Parameters.Get<double>("x"));
        }

        var rung1 = Enumerable.Range(0, 3).Select(_ => study.Ask()!).ToList();
        var expectedParents = rung0.OrderBy(t => t.Loss).Take(3).Select(t => t.Id);
        Assert.Multiple(() =>
        {
            Assert.That(rung0.Select(t => t.Budget), Is.All.EqualTo(1.0));
            Assert.That(rung1.Select(t => t.Budget), Is.All.EqualTo(3.0));
            Assert.That(rung1.Select(t => t.ParentTrialId), Is.EquivalentTo(expectedParents.Cast<int?>()));
            Assert.That(rung1.Select(t => t.Attributes["rung"]), Is.All.EqualTo("1"));
            Assert.That(rung1.Select(t => t.Parameters), Is.EquivalentTo(rung0.OrderBy(t => t.Loss).Take(3).Select(t => t.Parameters)));
        });
    }

    [Test]
    public void FailedTrialsAreNeverPromotedAndTheBracketEnds()
    {
        var tuner = new SuccessiveHalvingTuner(Space, new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 3, MaxBrackets = 1 });
        var study = new TuningStudy(tuner);
        var result = study.Optimize(c => c.Trial.Id == 0 ? 0.0 : throw new InvalidOperationException("boom"));

        Assert.Multiple(() =>
        {
            Assert.That(result.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
            Assert.That(result.Trials.Where(t => t.Budget == 3.0).Select(t => t.ParentTrialId), Is.EqualTo(new int?[] { 0 }));
        });
    }
}
