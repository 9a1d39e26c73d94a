using MLNetTuning.Storage;

namespace MLNetTuning.Pipelines;

/// <summary>Budgets and settings of a <see cref="TuningExperiment"/>.</summary>
public sealed class TuningExperimentOptions
{
    private int? _maxTrials = 50;
    private TimeSpan? _timeBudget;
    private int _parallelTrials = 1;

    /// <summary>Most trials, or null for no limit (then set <see cref="TimeBudget"/>). Default 50.</summary>
    public int? MaxTrials
    {
        get => _maxTrials;
        set => _maxTrials = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTrials), value, "MaxTrials must be at least 1.");
    }

    /// <summary>Wall-clock budget, or null. Running trials are cancelled when it runs out.</summary>
    public TimeSpan? TimeBudget
    {
        get => _timeBudget;
        set => _timeBudget = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(TimeBudget), value, "TimeBudget must be positive.");
    }

    /// <summary>Trials trained at once. Default 1, which with a seed gives a reproducible sequence.</summary>
    public int ParallelTrials
    {
        get => _parallelTrials;
        set => _parallelTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ParallelTrials), value, "ParallelTrials must be at least 1.");
    }

    /// <summary>Seed of the tuner and of every trial's <c>MLContext</c>; when null, drawn from the experiment's <c>MLContext</c>.</summary>
    public int? Seed { get; set; }

    /// <summary>Name of the study in <see cref="Store"/>. Default "experiment".</summary>
    public string StudyName { get; set; } = "experiment";

    /// <summary>Where trials are kept; in memory when null. A store that already holds the study resumes it.</summary>
    public ITrialStore? Store { get; set; }

    /// <summary>Cache the training data in memory once, so that trials do not re-read it. Default true.</summary>
    public bool CacheData { get; set; } = true;
}
