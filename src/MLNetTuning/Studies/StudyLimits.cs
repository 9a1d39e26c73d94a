namespace MLNetTuning.Studies;

/// <summary>When a study stops starting trials, and how many it runs at once.</summary>
public sealed class StudyLimits
{
    private int? _maxTrials;
    private TimeSpan? _timeBudget;
    private int _maxConcurrentTrials = 1;

    /// <summary>Most trials to start in this run, or null for no limit. Must be at least 1.</summary>
    public int? MaxTrials
    {
        get => _maxTrials;
        set => _maxTrials = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTrials), value, "MaxTrials must be at least 1.");
    }

    /// <summary>Wall-clock budget of this run, or null. When it runs out, no trial starts and running ones are cancelled.
    /// It may be changed while the run goes on (the CLI shortens it to keep time for its wrap-up): the run's deadline
    /// moves to the new budget, still counted from the run's start.</summary>
    public TimeSpan? TimeBudget
    {
        get => _timeBudget;
        set
        {
            _timeBudget = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(TimeBudget), value, "TimeBudget must be positive.");
            TimeBudgetChanged?.Invoke();
        }
    }

    /// <summary>Raised when <see cref="TimeBudget"/> is set, so that a running study moves its deadline.</summary>
    internal event Action? TimeBudgetChanged;

    /// <summary>Trials run at once. Default 1, which with a seeded tuner gives a reproducible sequence.</summary>
    public int MaxConcurrentTrials
    {
        get => _maxConcurrentTrials;
        set => _maxConcurrentTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConcurrentTrials), value, "MaxConcurrentTrials must be at least 1.");
    }
}

/// <summary>Why a study run ended.</summary>
public enum StudyStopReason
{
    /// <summary>The trial budget was used.</summary>
    MaxTrials,

    /// <summary>The time budget ran out.</summary>
    TimeBudget,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>The tuner had nothing more to propose (an exhausted grid, a finished schedule).</summary>
    TunerFinished,
}
