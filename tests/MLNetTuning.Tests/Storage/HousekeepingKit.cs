using MLNetTuning.Storage;
using MLNetTuning.Studies;
using static MLNetTuning.Tests.Storage.StoreTestKit;

namespace MLNetTuning.Tests.Storage;

/// <summary>A study with one trial of every kind (completed with curves and attributes, pruned child, failed, still running
/// with a heartbeat), and how to compare two studies column by column.</summary>
internal static class HousekeepingKit
{
    public const int TrialCount = 5;

    public static void Fill(ITrialStore store, string name)
    {
        store.OpenStudy(name, Space, OptimizationDirection.Maximize);
        store.SetStudyAttribute(name, "mlnet-tune.settings", "{\"metric\":\"auc\",\"note\":\"quotes \\\" and ünïcode\"}");
        store.SetStudyAttribute(name, "owner", "");
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

        var completed = Trial(0, [0.1, 0.2, 0.9], start, budget: 9, parent: null);
        completed.Restore(TrialState.Completed, 0.1 + 0.2, -(0.1 + 0.2), null, start.AddSeconds(3), [new(1, 0.25), new(3, 1e-300), new(9, 0.1 + 0.2)], [new("trainer", "FastTree"), new("rung", "2")], "host-a:1");
        var pruned = Trial(1, [0.7, 0.5, 0.1], start.AddSeconds(1), budget: 3, parent: 0);
        pruned.Restore(TrialState.Pruned, 0.125, -0.125, null, start.AddSeconds(2), [new(1, 0.1), new(3, 0.125)], null, "host-b:2");
        var failed = Trial(2, [0.99, 0.01, 0.5], start.AddSeconds(2), budget: null, parent: null);
        failed.Restore(TrialState.Failed, null, null, "System.InvalidOperationException: line 1\nline 2", start.AddSeconds(4), null, null, "host-a:1");
        var completedLarge = Trial(3, [0.5, 0.5, 0.5], start.AddSeconds(3), budget: null, parent: null);
        completedLarge.Restore(TrialState.Completed, double.MaxValue, double.MinValue, null, start.AddSeconds(5), null, null, "host-b:2");
        var running = Trial(4, [0.3, 0.3, 0.3], start.AddSeconds(4), budget: 27, parent: 0);
        running.Restore(TrialState.Running, null, null, null, null, [new(1, 0.5)], null, "host-c:3");
        foreach (var t in new[] { completed, pruned, failed, completedLarge, running })
        {
            store.Save(name, t);
        }

        store.Heartbeat(name, "host-c:3", [4]);
    }

    public static List<TrialRecord> Records(IEnumerable<TuningTrial> trials) => trials.OrderBy(t => t.Id).Select(TrialRecord.From).ToList();

    public static void AssertSameStudy(StoredStudy actual, StoredStudy expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.Name, Is.EqualTo(expected.Name));
            Assert.That(actual.SpaceJson, Is.EqualTo(expected.SpaceJson));
            Assert.That(actual.Direction, Is.EqualTo(expected.Direction));
            Assert.That(actual.CreatedAt.ToUnixTimeMilliseconds(), Is.EqualTo(expected.CreatedAt.ToUnixTimeMilliseconds()));
            Assert.That(actual.Attributes, Is.EquivalentTo(expected.Attributes));
            Assert.That(actual.TrialCounts, Is.EquivalentTo(expected.TrialCounts));
        });
    }

    private static TuningTrial Trial(int id, double[] units, DateTimeOffset start, double? budget, int? parent) =>
        new(id, Space.DecodeParameters(units), budget, parent, start);
}
