using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

/// <summary>
/// The schedulers draw their new configurations as random search does. The space's own unit encoding floors
/// integers, so a sampler that decoded uniform coordinates with it would never propose a range's largest integer
/// (a network's second hidden layer, for one).
/// </summary>
public class SchedulerSamplingTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Int("layers", 1, 2)
        .Int("n", 1, 3)
        .Double("x", 0, 1)
        .Build();

    private static IHyperparameterTuner Scheduler(string name) => name switch
    {
        "sh" => new SuccessiveHalvingTuner(Space, new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5 }),
        "hyperband" => new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5 }),
        "asha" => new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5 }),
        "asha-stopping" => new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5, Mode = AshaMode.Stopping }),

        // Every proposal uniform: the share a model does not steer.
        "bohb" => new BohbTuner(Space, new BohbTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5, RandomFraction = 1 }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [TestCase("sh")]
    [TestCase("hyperband")]
    [TestCase("asha")]
    [TestCase("asha-stopping")]
    [TestCase("bohb")]
    public async Task NewConfigurationsGiveEveryIntegerOfARangeAnEqualShare(string name)
    {
        var study = new TuningStudy(Scheduler(name));
        var result = await study.OptimizeAsync(
            (context, _) => Task.FromResult(context.Parameters.Get<double>("x") + context.Parameters.Get<int>("layers")),
            new StudyLimits { MaxTrials = 900 });

        var fresh = result.Trials.Where(t => t.ParentTrialId is null).Select(t => t.Parameters).ToList();
        Assert.That(fresh, Has.Count.GreaterThanOrEqualTo(500));
        var layers = fresh.GroupBy(p => p.Get<int>("layers")).ToDictionary(g => g.Key, g => (double)g.Count() / fresh.Count);
        var n = fresh.GroupBy(p => p.Get<int>("n")).ToDictionary(g => g.Key, g => (double)g.Count() / fresh.Count);
        Assert.Multiple(() =>
        {
            Assert.That(layers.Keys.Order(), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(layers.Values, Is.All.InRange(0.42, 0.58));
            Assert.That(n.Keys.Order(), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(n.Values, Is.All.InRange(0.27, 0.40));
        });
    }
}
