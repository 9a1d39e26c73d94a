namespace MLNetTuning.Tests;

/// <summary>
/// Gives the thread pool at least two workers, as it has on CI's two cores. On one core (<c>taskset -c 0</c>) it starts
/// with one, and timer callbacks and continuations (heartbeats, time budgets, the next trial's start) then sometimes wait
/// 0.5-1.2 s for the pool to add a thread. Measured there: the heartbeat test let a live worker's trial expire in 7 to 17
/// runs in 100 per store, the time-budget test ended before its trial 2 started in 9 runs in 300, and 4 of 12 filtered
/// runs of the two heartbeat tests failed; with two workers: none in 150, none in 300, and none in 8.
/// </summary>
[SetUpFixture]
public sealed class ThreadPoolFloor
{
    [OneTimeSetUp]
    public void AtLeastTwoWorkers()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 2), Math.Max(completionPorts, 2));
    }
}
