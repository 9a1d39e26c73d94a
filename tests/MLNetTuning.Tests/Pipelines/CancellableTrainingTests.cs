using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Tuners.TunerTestFunctions;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>
/// A token fired by a timer (a time budget) must not run the rest of the run inside the timer's callback: with one
/// core .NET has a single timer queue, and a wrap-up blocking in that callback kept the wrap-up's own deadline from
/// firing (a 300 s CLI run that waited 15 minutes for a FastTree trial it had abandoned).
/// </summary>
public class CancellableTrainingTests
{
    /// <summary>True on the thread that is inside <see cref="CancellationTokenSource.Cancel()"/>, and only there.</summary>
    private static readonly ThreadLocal<bool> InsideCancel = new();

    /// <summary>Cancels on a thread pool thread (no synchronization context, where .NET inlines continuations,
    /// as on a timer's callback thread), marking that thread while inside Cancel.</summary>
    private static Task CancelMarkedAsync(CancellationTokenSource source) => Task.Run(() =>
    {
        InsideCancel.Value = true;
        try
        {
            source.Cancel();
        }
        finally
        {
            InsideCancel.Value = false;
        }
    });

    [Test]
    public async Task WhatFollowsACancelledTrainingDoesNotRunOnTheThreadThatCancelled()
    {
        using var cancel = new CancellationTokenSource();
        using var gate = new ManualResetEventSlim();
        var after = ContinueAfterCancelAsync(CancellableTraining.RunAsync(new MLContext(0), () => gate.Wait(TimeSpan.FromSeconds(30)), cancel.Token));

        await CancelMarkedAsync(cancel);
        var ranInsideCancel = await after.WaitAsync(TimeSpan.FromSeconds(20));
        gate.Set();

        Assert.That(ranInsideCancel, Is.False, "the code after the cancelled training ran inside Cancel()");
    }

    [Test]
    public async Task WhatFollowsATrialEndedByTheStopTokenDoesNotRunOnTheThreadThatStoppedIt()
    {
        using var stopper = new CancellationTokenSource();
        var tuning = new MLContext(1).Tuning();
        var study = tuning.CreateStudy(Box(1, 0, 1), tuning.Tuners.Random());
        var optimize = study.OptimizeAsync(
            (context, token) =>
            {
                // Ends inside the token's callback, as an objective ended by a timer does.
                var ended = new TaskCompletionSource<double>();
                token.Register(() => ended.TrySetCanceled(token));
                return ended.Task;
            },
            new StudyLimits { MaxTrials = 1 },
            stopper.Token);
        var after = ContinueAfterAsync(optimize);

        await Task.Delay(200);
        await CancelMarkedAsync(stopper);
        var ranInsideCancel = await after.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(ranInsideCancel, Is.False, "the code after the study ran inside Cancel()");
    }

    private static async Task<bool> ContinueAfterCancelAsync(Task<bool> training)
    {
        try
        {
            await training.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return InsideCancel.Value;
    }

    private static async Task<bool> ContinueAfterAsync(Task<StudyResult> run)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return InsideCancel.Value;
    }
}
