using Microsoft.ML;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Training that ends when its token fires (a time budget, Ctrl+C, a cancelled experiment), whichever comes first:
/// the token stops the trainers running in the trial's <see cref="MLContext"/> (ML.NET's CancelExecution), and
/// a trainer that does not listen (LightGBM's native loop between its checks, FastTree's boosting loop) is left
/// behind rather than waited for, so the caller gets <see cref="OperationCanceledException"/> at once, on a thread
/// pool thread rather than on the thread that fired the token. Work that finished before the cut
/// keeps its result. The one implementation of the library's trials and the mlnet-tune tool's.
/// </summary>
internal static class CancellableTraining
{
    /// <summary>Runs <paramref name="work"/> (fitting and scoring in <paramref name="context"/>) on a worker thread.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired before the work ended.</exception>
    public static async Task<T> RunAsync<T>(MLContext context, Func<T> work, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        using var cancel = token.Register(() => MLNetInternals.CancelExecution(context));
        var training = Task.Run(work, CancellationToken.None);
        try
        {
            return await training.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!training.IsCompleted)
        {
            // Observe the abandoned work's end so that its failure is not reported as unobserved.
            _ = training.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

            // Leave the thread that fired the token before the caller goes on: a timer's (a time budget's) callback
            // would otherwise run the caller's continuation, often the rest of the run, and with one core .NET has
            // one timer queue, so no other timer (the wrap-up's deadline) fires until that callback returns.
            await Task.Yield();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> as <see cref="RunAsync{T}"/> and waits for it: for callers on their own thread.</summary>
    public static T Run<T>(MLContext context, Func<T> work, CancellationToken token) =>
        RunAsync(context, work, token).GetAwaiter().GetResult();

    /// <summary>A token source that fires when <paramref name="budget"/> has passed (never when it is null or longer
    /// than a timer can wait, about 24.8 days).</summary>
    public static CancellationTokenSource Deadline(TimeSpan? budget) =>
        budget is { } b && b.TotalMilliseconds < int.MaxValue - 1 ? new CancellationTokenSource(b) : new CancellationTokenSource();
}
