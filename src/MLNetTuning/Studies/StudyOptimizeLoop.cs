using System.Diagnostics;
using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>
/// The optimize loop of <see cref="TuningStudy.OptimizeAsync"/>: keeps up to the allowed number of trials running,
/// asks the study for the next one, runs the objective on a worker thread and tells the study how it ended. It
/// knows the study only through ask/tell, so the loop's rules (limits, stop reasons, cancellation) live here alone.
/// </summary>
internal sealed class StudyOptimizeLoop(TuningStudy study, Func<TrialContext, CancellationToken, Task<double>> objective, StudyLimits limits)
{
    public async Task<StudyResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (BudgetFit.CapWarning(study.Tuner, limits.MaxTrials) is { } warning)
        {
            study.Warn(warning);
        }

        (study.Tuner as AutoTuner)?.StartRun(limits, study.TotalTrialBudget);

        // A timer waits at most int.MaxValue - 1 ms (24.8 days); a longer budget never ends a run.
        using var deadline = limits.TimeBudget is { } budget && budget.TotalMilliseconds < int.MaxValue - 1 ? new CancellationTokenSource(budget) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        void MoveDeadline() => MoveTo(deadline, limits.TimeBudget, clock.Elapsed);
        limits.TimeBudgetChanged += MoveDeadline;
        try
        {
            return await LoopAsync(clock, stop, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            limits.TimeBudgetChanged -= MoveDeadline;
        }
    }

    /// <summary>Sets <paramref name="deadline"/> to fire when <paramref name="budget"/> is used, <paramref name="elapsed"/>
    /// being gone already (never for a null budget or one longer than a timer can wait).</summary>
    private static void MoveTo(CancellationTokenSource deadline, TimeSpan? budget, TimeSpan elapsed)
    {
        try
        {
            var left = budget - elapsed;
            if (left is not { } wait || wait.TotalMilliseconds >= int.MaxValue - 1)
            {
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            else if (wait <= TimeSpan.Zero)
            {
                // Not Cancel(): the trials' cancellation callbacks, and the rest of the run they can complete, would run
                // inline on the thread that changed the budget.
                _ = deadline.CancelAsync();
            }
            else
            {
                deadline.CancelAfter(wait);
            }
        }
        catch (ObjectDisposedException)
        {
            // The run ended while the budget was being changed.
        }
    }

    private async Task<StudyResult> LoopAsync(Stopwatch clock, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        var started = 0;
        var reason = StudyStopReason.TunerFinished;
        while (true)
        {
            while (running.Count < limits.MaxConcurrentTrials)
            {
                if (stop.IsCancellationRequested)
                {
                    reason = cancellationToken.IsCancellationRequested ? StudyStopReason.Cancelled : StudyStopReason.TimeBudget;
                    break;
                }

                if (started >= limits.MaxTrials)
                {
                    reason = StudyStopReason.MaxTrials;
                    break;
                }

                var trial = study.Ask();
                if (trial is null)
                {
                    reason = study.BudgetReached ? StudyStopReason.MaxTrials : StudyStopReason.TunerFinished;
                    break;
                }

                started++;
                running.Add(RunTrialAsync(trial, stop.Token, cancellationToken));
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            await done.ConfigureAwait(false);
            CheckTimeOnce();
        }

        CheckTimeOnce(runEnded: true);

        // A cancellation or deadline that came while the last trials ran is the true reason to report.
        if (reason == StudyStopReason.TunerFinished && stop.IsCancellationRequested && !study.Tuner.IsFinished && !study.BudgetReached)
        {
            reason = cancellationToken.IsCancellationRequested ? StudyStopReason.Cancelled : StudyStopReason.TimeBudget;
        }

        return study.Snapshot(reason, clock.Elapsed);
    }

    private bool _timeChecked;

    /// <summary>
    /// Warns once when the time budget cannot finish a bracket. The first trial of a process carries one-time costs
    /// (JIT, caches) that would make a bracket look longer than it is, so the estimate takes the fastest of the first
    /// few trials; a first trial that already fits settles it at once.
    /// </summary>
    private void CheckTimeOnce(bool runEnded = false)
    {
        const int Sample = 3;
        if (_timeChecked || limits.TimeBudget is null)
        {
            return;
        }

        if (study.Tuner is not (IMultiFidelityTuner or Pruners.PrunedTuner { Inner: IMultiFidelityTuner }))
        {
            _timeChecked = true;
            return;
        }

        var measured = study.Trials.Where(t => t.State == TrialState.Completed && t.WorkerId == study.WorkerId && t.Budget > 0 && t.Duration is not null).Take(Sample).ToList();
        if (measured.Count == 0)
        {
            return;
        }

        var warning = BudgetFit.TimeWarning(study.Tuner, measured, limits.TimeBudget, limits.MaxConcurrentTrials);
        if (warning is null || measured.Count >= Sample || runEnded)
        {
            _timeChecked = true;
            if (warning is not null)
            {
                study.Warn(warning);
            }
        }
    }

    private async Task RunTrialAsync(TuningTrial trial, CancellationToken stop, CancellationToken userToken)
    {
        var context = new TrialContext(study, trial, stop);
        var outcome = Task.Run(() => objective(context, stop), CancellationToken.None);
        await ((Task)outcome).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // An objective ended by the time budget completes on the deadline timer's callback: leave that thread before
        // the rest of the run goes on (see CancellableTraining).
        await Task.Yield();
        try
        {
            var value = await outcome.ConfigureAwait(false);
            study.Tell(trial, value);
        }
        catch (TrialPrunedException)
        {
            study.TellPruned(trial);
        }
        catch (OperationCanceledException e) when (stop.IsCancellationRequested)
        {
            var why = userToken.IsCancellationRequested ? "the study was cancelled" : "the time budget ran out";
            study.TellFailure(trial, new OperationCanceledException($"The trial was stopped because {why}.", e));
        }
        catch (Exception e)
        {
            study.TellFailure(trial, e);
        }
    }
}
