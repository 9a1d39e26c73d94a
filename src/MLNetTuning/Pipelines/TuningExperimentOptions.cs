using MLNetTuning.Storage;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>Budgets and settings of a <see cref="TuningExperiment"/>.</summary>
public sealed class TuningExperimentOptions
{
    // Validation lives in StudyLimits, which the experiment hands to its study.
    internal StudyLimits Limits { get; } = new() { MaxTrials = 50 };

    /// <summary>Most trials, or null for no limit (then set <see cref="TimeBudget"/>). Default 50.</summary>
    public int? MaxTrials
    {
        get => Limits.MaxTrials;
        set => Limits.MaxTrials = value;
    }

    /// <summary>Wall-clock budget, or null. Running trials are cancelled when it runs out.</summary>
    public TimeSpan? TimeBudget
    {
        get => Limits.TimeBudget;
        set => Limits.TimeBudget = value;
    }

    /// <summary>Trials trained at once. Default 1, which with a seed gives a reproducible sequence.</summary>
    public int ParallelTrials
    {
        get => Limits.MaxConcurrentTrials;
        set => Limits.MaxConcurrentTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ParallelTrials), value, "ParallelTrials must be at least 1.");
    }

    /// <summary>Seed of the tuner and of every trial's <c>MLContext</c>; when null, drawn from the experiment's <c>MLContext</c>.</summary>
    public int? Seed { get; set; }

    /// <summary>Name of the study in <see cref="Store"/>. Default "experiment".</summary>
    public string StudyName { get; set; } = "experiment";

    /// <summary>Where trials are kept; in memory when null. A store that already holds the study resumes it.</summary>
    public ITrialStore? Store { get; set; }

    /// <summary>
    /// Set to share the study in <see cref="Store"/> with other processes or machines running the same experiment
    /// (a SQLite file on one machine, PostgreSQL across machines): trial ids are reserved in the store, each
    /// worker's tuner learns every worker's results, and a trial whose worker sends no heartbeat for this long is
    /// marked failed. Null (default): this experiment owns the study. Checkpoints stay in their process, so a
    /// promotion run by another worker trains from the start, and population-based training cannot be shared.
    /// </summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>With <see cref="HeartbeatTimeout"/>: the most trials of the whole shared study, counted over every
    /// worker and earlier run (all workers stop at exactly that many); null for no such limit.</summary>
    public int? TotalTrialBudget { get; set; }

    /// <summary>Receives a <see cref="TrialProgress"/> for every trial that ends, on the thread that ended it; null
    /// (default) for none. The same line goes to <c>MLContext.Log</c> (source <see cref="TuningStudy.LogSource"/>),
    /// which prints nothing unless subscribed to.</summary>
    public IProgress<TrialProgress>? Progress { get; set; }

    /// <summary>False (default): the best trial, and so the best model, is the best among the trials at the highest
    /// budget reached (a multi-fidelity run's cheap trials are judged on less training). True: the best value at
    /// any budget.</summary>
    public bool RankAcrossBudgets { get; set; }

    /// <summary>Configurations to try first (from <see cref="Portfolios.PortfolioFile.Load"/> or
    /// <see cref="Portfolios.PortfolioBuilder.Build"/>): each entry whose trainer is a branch of the pipeline's
    /// "trainer" choice is enqueued after the points given to <see cref="TuningExperiment.Enqueue"/>; the others are
    /// skipped. Null (default) for none.</summary>
    public IReadOnlyList<Portfolios.PortfolioEntry>? Portfolio { get; set; }

    /// <summary>Cache the training data in memory once, so that trials do not re-read it. Default true.</summary>
    public bool CacheData { get; set; } = true;

    /// <summary>With test data (SetTestData or SetTestFraction): how many of the best trials are confirmed on it
    /// after the study. Default 5.</summary>
    public int ConfirmTopTrials
    {
        get => _confirmTopTrials;
        set => _confirmTopTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ConfirmTopTrials), value, "ConfirmTopTrials must be at least 1.");
    }

    /// <summary>
    /// With test data: refit each confirmed configuration on the training and validation rows together before
    /// scoring it on the test rows, and keep the refitted winner as the best model (more data, a better model;
    /// the choice itself stays with the validation metric). When off, the models fitted on the training rows are
    /// confirmed and kept. Default true. Under cross-validation the model is fitted on all the rows either way.
    /// </summary>
    public bool RefitOnTrainAndValidation { get; set; } = true;

    /// <summary>Bootstrap resamples of each test interval. Default 1,000.</summary>
    public int BootstrapResamples
    {
        get => _bootstrapResamples;
        set => _bootstrapResamples = value >= 100 ? value : throw new ArgumentOutOfRangeException(nameof(BootstrapResamples), value, "BootstrapResamples must be at least 100.");
    }

    /// <summary>Nominal coverage of the test intervals. Default 0.95.</summary>
    public double ConfidenceLevel
    {
        get => _confidenceLevel;
        set => _confidenceLevel = value is > 0.5 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), value, "ConfidenceLevel must lie in (0.5, 1).");
    }

    private int _confirmTopTrials = 5;
    private int _bootstrapResamples = 1000;
    private double _confidenceLevel = 0.95;
}
