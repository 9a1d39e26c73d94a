using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Storage;

/// <summary>A small space, a deterministic objective and temporary folders for the store tests.</summary>
internal static class StoreTestKit
{
    public static HyperparameterSpace Space { get; } = HyperparameterSpace.CreateBuilder()
        .Double("x", -5, 5)
        .Int("n", 1, 100, logScale: true)
        .Choice("kind", "a", "b", "c")
        .Build();

    public static double Objective(TrialParameters p) => Math.Pow(p.Get<double>("x") - 1, 2) + Math.Log(p.Get<int>("n")) + (p.Get<string>("kind") == "b" ? 0 : 1);

    public static TuningStudy Open(ITrialStore store, string name = "s", int seed = 7, TimeSpan? heartbeatTimeout = null, bool requeue = false, string? workerId = null) =>
        new(new RandomTuner(Space, null, seed), new TuningStudyOptions
        {
            Name = name,
            Store = store,
            HeartbeatTimeout = heartbeatTimeout,
            RequeueExpiredTrials = requeue,
            WorkerId = workerId,
        });

    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlnettuning-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
