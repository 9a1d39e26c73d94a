using System.Runtime.InteropServices;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM, handled by the tool itself rather than by System.CommandLine, whose handler
/// forces the process to end a fixed time after the signal and so can cut off the writing of the model and the
/// summary. The first signal cancels the token: running trials stop, are marked failed, and what completed is
/// reported and saved; the exit code is then 130. A second signal ends the process at once (exit 130), like a
/// crash: the study still resumes, as after kill -9.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public TerminationSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, Handle));
            }
            catch (PlatformNotSupportedException)
            {
                // SIGTERM has no meaning on Windows; Ctrl+C is still handled there.
            }
        }
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // The tool decides when to end, not the runtime's default action.
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) == 1)
        {
            Console.Error.WriteLine($"{Name(context.Signal)}: stopping the running trials and saving what completed (press Ctrl+C again to quit at once)...");

            // Cancel off the signal thread: cancelling runs the trials' callbacks, which must not delay a second signal.
            ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), _cancel, preferLocal: false);
            return;
        }

        Console.Error.WriteLine($"{Name(context.Signal)} again: quitting at once; the trials that were running are failed when the study resumes.");
        Environment.Exit(ExitCodes.Cancelled);
    }

    private static string Name(PosixSignal signal) => signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C";
}
