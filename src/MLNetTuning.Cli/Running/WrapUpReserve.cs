using MLNetTuning.Pipelines;
using MLNetTuning.Studies;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// Keeps time at the end of a --time budget for the wrap-up (scoring the best model on the test rows, its bootstrap,
/// saving the model): training stops that much before the budget's end, so the whole run ends near the budget.
/// The reserve comes from costs measured in this run, not a constant: the best trial's validation scoring, per row,
/// scaled to the test rows, the last save of the best model, and a trial build of report.html (made once, in the
/// background, after the first completed trial). See docs/cli.md, "The time budget".
/// </summary>
internal sealed class WrapUpReserve : IDisposable
{
    /// <summary>The test scoring reads the cached scores once more and runs the bootstrap over them: about as long
    /// again as the scoring pass itself.</summary>
    private const double ScoringPasses = 2;

    private readonly object _gate = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly TimeSpan? _budget;
    private readonly int _testRows;
    private readonly StudyLimits _limits;
    private readonly CancellationTokenSource _trainingEnd;
    private readonly CancellationTokenSource _budgetEnd;
    private double _scoringSecondsPerRow;
    private double _saveSeconds;
    private double _reportSeconds;

    /// <summary>Starts the budget's clock now; <paramref name="limits"/>' <see cref="StudyLimits.TimeBudget"/> is
    /// shortened as the reserve grows.</summary>
    public WrapUpReserve(TimeSpan? budget, int testRows, StudyLimits limits)
    {
        _budget = budget;
        _testRows = testRows;
        _limits = limits;
        _trainingEnd = CancellableTraining.Deadline(budget);
        _budgetEnd = CancellableTraining.Deadline(budget);
    }

    /// <summary>Fires when training must stop: the budget minus the reserve.</summary>
    public CancellationToken TrainingEnd => _trainingEnd.Token;

    /// <summary>Fires at the budget's end: the bootstrap stops resampling.</summary>
    public CancellationToken BudgetEnd => _budgetEnd.Token;

    /// <summary>The time kept for the wrap-up, at most half the budget (training always gets the other half).</summary>
    public TimeSpan Reserve
    {
        get
        {
            lock (_gate)
            {
                var seconds = (_scoringSecondsPerRow * _testRows * ScoringPasses) + _saveSeconds + _reportSeconds;
                return _budget is { } budget ? TimeSpan.FromSeconds(Math.Min(seconds, budget.TotalSeconds / 2)) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>The new best trial's model scored <paramref name="rows"/> validation rows in <paramref name="elapsed"/>:
    /// the wrap-up will score that model on the test rows.</summary>
    public void BestScored(int rows, TimeSpan elapsed)
    {
        if (rows <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _scoringSecondsPerRow = elapsed.TotalSeconds / rows;
        }

        Move();
    }

    /// <summary>Saving the best model took <paramref name="elapsed"/>; the wrap-up may have to save it once more.</summary>
    public void Saved(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _saveSeconds = elapsed.TotalSeconds;
        }

        Move();
    }

    /// <summary>Building report.html took <paramref name="elapsed"/>.</summary>
    public void ReportBuilt(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _reportSeconds = elapsed.TotalSeconds;
        }

        Move();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _trainingEnd.Dispose();
        _budgetEnd.Dispose();
    }

    /// <summary>Moves the end of training (the study's limit and the confirmation's deadline) to the budget minus the reserve.</summary>
    private void Move()
    {
        if (_budget is not { } budget || budget.TotalMilliseconds >= int.MaxValue - 1)
        {
            return;
        }

        var trainingBudget = budget - Reserve;
        var left = trainingBudget - _clock.Elapsed;
        try
        {
            if (left <= TimeSpan.Zero)
            {
                // Not Cancel(): its callbacks, and the continuations they complete, would run on this thread.
                _ = _trainingEnd.CancelAsync();
            }
            else
            {
                _trainingEnd.CancelAfter(left);
            }

            // Last: ending the study can run the rest of the run (the confirmation) inline on this thread, and by then
            // the confirmation's deadline must have moved too.
            _limits.TimeBudget = trainingBudget;
        }
        catch (ObjectDisposedException)
        {
            // The run is over.
        }
    }
}
