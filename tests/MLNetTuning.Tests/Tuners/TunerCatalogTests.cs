using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

/// <summary>Issue 18, item 6: seeds of studies, the catalog without a context, telling a study by hand, and catalog
/// methods that copy their options.</summary>
public class TunerCatalogTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Double("y", -3, 3).Int("k", 1, 9).Build();

    private static List<TrialParameters> Proposals(IHyperparameterTuner tuner, int count) =>
        Enumerable.Range(0, count).Select(id => tuner.Propose(id)!.Parameters).ToList();

    private static List<TrialParameters> Asked(TuningStudy study, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var trial = study.Ask()!;
            study.Tell(trial, trial.Parameters.Get<double>("x"));
            return trial.Parameters;
        }).ToList();

    [Test]
    public void CreateStudyWithASeedReproducesOnAnyContext_WithoutOneEachStudyDrawsAnother()
    {
        var first = new MLContext(seed: 1).Tuning();
        var other = new MLContext(seed: 99).Tuning();
        var tpe = first.Tuners.Tpe();
        var a = Asked(first.CreateStudy(Space, tpe, seed: 7), 15);
        var b = Asked(first.CreateStudy(Space, tpe, seed: 7), 15);
        var c = Asked(other.CreateStudy(Space, tpe, seed: 7), 15);
        var d = Asked(other.CreateStudy(Space, tpe, seed: 8), 15);
        Assert.Multiple(() =>
        {
            Assert.That(b, Is.EqualTo(a), "a second study with the same seed on the same context");
            Assert.That(c, Is.EqualTo(a), "the same seed on another context");
            Assert.That(d, Is.Not.EqualTo(a), "another seed");
            Assert.That(Asked(other.CreateStudy(Space, tpe), 15), Is.Not.EqualTo(Asked(other.CreateStudy(Space, tpe), 15)), "no seed: each study draws its own from the context");
        });
    }

    [Test]
    public void TheCatalogWithoutAContextMakesTheSameTunersAsTheContextsOne()
    {
        var mine = new TunerCatalog();
        var context = new MLContext(seed: 0).Tuning().Tuners;
        Assert.Multiple(() =>
        {
            Assert.That(Proposals(mine.Tpe().Create(Space, 3), 20), Is.EqualTo(Proposals(context.Tpe().Create(Space, 3), 20)));
            Assert.That(Proposals(mine.Random().Create(Space, 3), 20), Is.EqualTo(Proposals(context.Random().Create(Space, 3), 20)));
            Assert.That(new TuningStudy(mine.CmaEs().Create(Space, 3)).Ask(), Is.Not.Null);
        });
    }

    /// <summary>Each catalog method, given options with seed 1 that the caller then changes to seed 2.</summary>
    private static IEnumerable<TestCaseData> Families()
    {
        yield return Family("tpe", o => new TunerCatalog().Tpe(o), () => new TpeTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("cmaes", o => new TunerCatalog().CmaEs(o), () => new CmaEsTunerOptions { Seed = 1, EvaluateStartPoint = false }, o => o.Seed = 2);
        yield return Family("ga", o => new TunerCatalog().Genetic(o), () => new GeneticTunerOptions { Seed = 1, IncludeDefaults = false }, o => o.Seed = 2);
        yield return Family("random", o => new TunerCatalog().Random(o), () => new RandomTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("grid", o => new TunerCatalog().Grid(o), () => new GridTunerOptions { StepsPerRange = 2 }, o => o.StepsPerRange = 3);
        yield return Family("hyperband", o => new TunerCatalog().Hyperband(o), () => new HyperbandTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("successive-halving", o => new TunerCatalog().SuccessiveHalving(o), () => new SuccessiveHalvingTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("asha", o => new TunerCatalog().Asha(o), () => new AshaTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("bohb", o => new TunerCatalog().Bohb(o), () => new BohbTunerOptions { Seed = 1 }, o => o.Seed = 2);
        yield return Family("pbt", o => new TunerCatalog().Pbt(o), () => new PbtTunerOptions { Seed = 1 }, o => o.Seed = 2);
    }

    private static TestCaseData Family<T>(string name, Func<T, TunerFactory> make, Func<T> options, Action<T> change) =>
        new TestCaseData(
            (Func<TunerFactory>)(() => make(options())),
            (Func<TunerFactory>)(() =>
            {
                var given = options();
                var factory = make(given);
                change(given);
                return factory;
            }),
            (Func<TunerFactory>)(() =>
            {
                var given = options();
                change(given);
                return make(given);
            })).SetArgDisplayNames(name);

    [TestCaseSource(nameof(Families))]
    public void EveryCatalogMethodCopiesItsOptions(Func<TunerFactory> original, Func<TunerFactory> changedAfterwards, Func<TunerFactory> changedBefore)
    {
        var expected = Proposals(original().Create(Space, 0), 8);
        Assert.That(Proposals(changedAfterwards().Create(Space, 0), 8), Is.EqualTo(expected), "a change after the call must not reach the factory");
        Assert.That(Proposals(changedBefore().Create(Space, 0), 8), Is.Not.EqualTo(expected), "the change matters, so the first check can fail");
    }

    [Test]
    public void TellingParametersByHandTeachesTheTunerAndRecordsACompletedTrial()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();
        var study = new MLContext(seed: 0).Tuning().CreateStudy(space, new TunerCatalog().Tpe(), seed: 3);
        var completed = 0;
        study.TrialCompleted += (_, _) => completed++;
        for (var i = 0; i < 20; i++)
        {
            var x = (i + 0.5) / 20;
            var told = study.Tell(space.Defaults.With("x", x), Math.Abs(x - 0.8), budget: null);
            Assert.That(told.Id, Is.EqualTo(i));
        }

        var proposed = Enumerable.Range(0, 10).Select(_ =>
        {
            var trial = study.Ask()!;
            study.Tell(trial, Math.Abs(trial.Parameters.Get<double>("x") - 0.8));
            return trial.Parameters.Get<double>("x");
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(completed, Is.EqualTo(30));
            Assert.That(study.Trials.Take(20).All(t => t.State == TrialState.Completed && t.WorkerId == study.WorkerId), Is.True);
            Assert.That(study.BestTrial!.Value, Is.LessThanOrEqualTo(0.025 + 1e-12));

            // Uniform proposals would lie 0.34 from 0.8 on average; a TPE that learnt the told trials proposes near it.
            Assert.That(proposed.Average(x => Math.Abs(x - 0.8)), Is.LessThan(0.15));
        });
    }

    [Test]
    public void TellingBadParametersOrValuesNamesTheProblem()
    {
        var study = new TuningStudy(new TunerCatalog().Random().Create(Space, 0));
        Assert.Multiple(() =>
        {
            Assert.That(() => study.Tell(Space.Defaults.With("x", 5.0), 1), Throws.ArgumentException.With.Message.Contains("outside the study's space"));
            Assert.That(() => study.Tell(Space.Defaults, double.NaN), Throws.ArgumentException.With.Message.Contains("finite"));
            Assert.That(study.Trials, Is.Empty);
        });
    }
}
