using System.Diagnostics;
using System.Globalization;

namespace MLNetTuning.Storage;

/// <summary>
/// Worker ids of the form <c>host/pid/start/n</c>: the machine, the process id, the process's start time
/// (Unix seconds) and a counter of studies within the process. From such an id a worker on the same machine
/// can tell at once that the process of a running trial is gone, without waiting for its heartbeat to expire.
/// </summary>
public static class WorkerIds
{
    private static readonly long ProcessStart = StartSeconds(Process.GetCurrentProcess()) ?? 0;
    private static int _counter;

    /// <summary>A new id for a worker (a study) of this process.</summary>
    public static string NewForThisProcess() =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{ProcessStart}/{Interlocked.Increment(ref _counter)}");

    /// <summary>True when <paramref name="workerId"/> names a process of this machine that no longer runs.
    /// False for ids of other machines, of live processes, and of other forms (they wait for the heartbeat timeout).</summary>
    public static bool IsDeadLocalProcess(string? workerId)
    {
        var parts = workerId?.Split('/');
        if (parts is not { Length: 4 } || parts[0] != Environment.MachineName
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var started))
        {
            return false;
        }

        if (pid == Environment.ProcessId && started == ProcessStart)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);

            // The pid may have been reused by a newer process: then the worker is gone too.
            return process.HasExited || StartSeconds(process) is not long s || Math.Abs(s - started) > 2;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static long? StartSeconds(Process process)
    {
        try
        {
            return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
