using MLNetTuning.Pruners;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Transfer;

public class WarmStartStoreTests
{
    [Test]
    public void AStudyInASqliteFileWarmStartsAPrunedTpeStudyInAnotherStore()
    {
        var path = Path.Combine(StoreTestKit.TempFolder(), "earlier.db");
        var space = StoreTestKit.Space;
        using (var file = new SqliteTrialStore(path))
        {
            StoreTestKit.Open(file, name: "may").Optimize(c => StoreTestKit.Objective(c.Parameters), new StudyLimits { MaxTrials = 20 });
        }

        using var source = new SqliteTrialStore(path);
        var best = source.Load("may").Where(t => t.State == TrialState.Completed).MinBy(t => t.Loss)!;
        var tuner = new PrunedTuner(new TpeTuner(space, new TpeTunerOptions { Seed = 1 }), new MedianPruner());
        var study = new TuningStudy(tuner, new TuningStudyOptions { Name = "june" });
        var start = study.WarmStartFrom(source.FindStudy("may")!, new WarmStartOptions { SourceStore = source, TopK = 2, SpreadTrials = 0 });

        Assert.That(start.Prior, Is.Not.Null, "the pruner's wrapper does not hide TPE");
        Assert.That(start.Prior!.Observations, Has.Count.EqualTo(20));
        var first = study.Ask()!;
        Assert.That(first.Parameters, Is.EqualTo(best.Parameters), "stored values come back with their exact types");
        Assert.That(first.Attributes[WarmStart.SourceTrialAttribute], Is.EqualTo($"may/{best.Id}"));
    }
}
