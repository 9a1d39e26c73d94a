using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>
/// Tunes any objective: ask for a trial, evaluate it, tell the result (<see cref="Ask"/>, <see cref="Tell(TuningTrial, double)"/>),
/// or hand an objective to <see cref="OptimizeAsync"/>, which runs trials in parallel within a trial and time
/// budget. A trial that throws or returns NaN or infinity is recorded as failed and the study goes on.
/// </summary>
/// <remarks>
/// <para>Events are raised on the thread that ends the trial (a worker thread while optimizing); handlers must be
/// quick and thread-safe. They are raised for this study's own trials only.</para>
/// <para>Opening a study whose store already holds trials resumes it: the tuner is rebuilt from the history,
/// and trial ids go on from the stored ones. Trials left running by a crash are marked failed (at once, or in
/// a shared study when their process is known to be gone or their heartbeat expires); a seeded sequential
/// study so proposes for every trial id what a never-interrupted one would, and only the interrupted trial's
/// result is missing.</para>
/// <para>With <see cref="TuningStudyOptions.HeartbeatTimeout"/> set, several studies (workers) share one study
/// in one store: ids are reserved atomically, and before each proposal the tuner is told of every trial
/// other workers finished.</para>
/// </remarks>
public sealed partial class TuningStudy : IDisposable
{
    private const string InterruptedError = "Interrupted: the study stopped while this trial was running.";

    private readonly object _gate = new();
    private readonly SortedDictionary<int, TuningTrial> _trials = [];
    private readonly HashSet<int> _toldTuner = [];
    private readonly HashSet<int> _toldRunning = [];
    private readonly HashSet<int> _ownRunning = [];
    private readonly Dictionary<int, DateTimeOffset> _missingSince = [];
    private readonly Queue<TuningTrial> _requeue = new();
    private readonly Transfer.EnqueuedTrials _enqueued = new();
    private readonly ITrialStore _store;
    private readonly TimeSpan? _heartbeatTimeout;
    private readonly TimeSpan _heartbeatInterval;
    private readonly bool _requeueExpired;
    private readonly int? _totalTrialBudget;
    private readonly Timer? _heartbeatTimer;
    private readonly bool _rankAcrossBudgets;
    private DateTimeOffset _lastExpiryCheck = DateTimeOffset.MinValue;
    private int _syncedFrom;
    private int _lastKnownId = -1;
    private bool _budgetReached;
    private TuningTrial? _best;

    /// <summary>Opens a study (resuming what its store holds under its name).</summary>
    /// <exception cref="InvalidOperationException">The store holds a study of this name with another space or direction.</exception>
    public TuningStudy(IHyperparameterTuner tuner, TuningStudyOptions? options = null)
    {
        Tuner = tuner ?? throw new ArgumentNullException(nameof(tuner));
        options ??= new TuningStudyOptions();
        Name = options.Name;
        Direction = options.Direction;
        WorkerId = options.WorkerId ?? WorkerIds.NewForThisProcess();
        _store = options.Store ?? new InMemoryTrialStore();
        _heartbeatTimeout = options.HeartbeatTimeout;
        _heartbeatInterval = options.HeartbeatInterval ?? (_heartbeatTimeout is { } timeout ? timeout / 4 : TimeSpan.FromSeconds(10));
        _requeueExpired = options.RequeueExpiredTrials;
        _totalTrialBudget = options.TotalTrialBudget;
        _progress = options.Progress;
        _rankAcrossBudgets = options.RankAcrossBudgets;
        _metricName = options.MetricName;
        _store.OpenStudy(Name, Tuner.Space, Direction);

        if (IsShared)
        {
            ExpireDeadWorkers(DateTimeOffset.UtcNow);
            _heartbeatTimer = new Timer(_ => SendHeartbeat(), null, _heartbeatInterval, _heartbeatInterval);
        }

        foreach (var stored in _store.Load(Name))
        {
            var trial = stored;
            if (trial.State == TrialState.Running && !IsShared)
            {
                trial.Restore(TrialState.Failed, null, null, InterruptedError, DateTimeOffset.UtcNow);
                _store.Save(Name, trial);
            }
            else if (trial.State == TrialState.Running && WorkerIds.IsDeadLocalProcess(trial.WorkerId))
            {
                trial = FailDeadWorkerTrial(trial.Id, $"Interrupted: its worker process ({trial.WorkerId}) is gone.") ?? trial;
            }

            AddKnown(trial);
        }

        AdvanceSyncPoint(DateTimeOffset.UtcNow);
    }

    /// <summary>This worker's id, stored with the trials it runs.</summary>
    public string WorkerId { get; }

    /// <summary>Whether the study is shared with other workers (<see cref="TuningStudyOptions.HeartbeatTimeout"/> is set).</summary>
    public bool IsShared => _heartbeatTimeout is not null;

    /// <summary>The study's name.</summary>
    public string Name { get; }

    /// <summary>Keeps a note with the study in its store (see <see cref="ITrialStore.SetStudyAttribute"/>).</summary>
    internal void SetStudyAttribute(string key, string value) => _store.SetStudyAttribute(Name, key, value);

    /// <summary>Whether the metric is better lower or higher.</summary>
    public OptimizationDirection Direction { get; }

    /// <summary>The tuner.</summary>
    public IHyperparameterTuner Tuner { get; }

    /// <summary>The search space.</summary>
    public HyperparameterSpace Space => Tuner.Space;

    /// <summary>A snapshot of every trial, by id.</summary>
    public IReadOnlyList<TuningTrial> Trials
    {
        get
        {
            lock (_gate)
            {
                return _trials.Values.ToList();
            }
        }
    }

    /// <summary>The best completed trial so far: the best value among the trials at the highest budget reached
    /// (see <see cref="TuningStudyOptions.RankAcrossBudgets"/>); for trials without budgets, the best value.</summary>
    public TuningTrial? BestTrial
    {
        get
        {
            lock (_gate)
            {
                return _best;
            }
        }
    }

    /// <summary>A trial was proposed and starts running.</summary>
    public event EventHandler<TrialEventArgs>? TrialStarted;

    /// <summary>A running trial reported an intermediate value.</summary>
    public event EventHandler<TrialEventArgs>? TrialReported;

    /// <summary>A trial completed with a value.</summary>
    public event EventHandler<TrialEventArgs>? TrialCompleted;

    /// <summary>A trial was pruned.</summary>
    public event EventHandler<TrialEventArgs>? TrialPruned;

    /// <summary>A trial failed; see <see cref="TuningTrial.Error"/>.</summary>
    public event EventHandler<TrialEventArgs>? TrialFailed;

    /// <summary>A completed trial beat every earlier one.</summary>
    public event EventHandler<TrialEventArgs>? NewBestTrial;

    /// <summary>Takes in, now, what other workers started and finished (<see cref="Ask"/> does it before every proposal).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            Synchronize();
        }
    }

    /// <summary>Stops the heartbeat timer of a shared study. Trials still running are left to the heartbeat timeout.</summary>
    public void Dispose() => _heartbeatTimer?.Dispose();

    /// <summary>Runs <paramref name="objective"/> on trials until a limit is reached, the tuner is finished or
    /// <paramref name="cancellationToken"/> is cancelled. Never throws for a failing trial.</summary>
    /// <param name="objective">Evaluates one trial and returns its metric (as the user knows it).</param>
    /// <param name="limits">Trial and time budget, and parallelism.</param>
    /// <param name="cancellationToken">Stops the run; running trials see it through <see cref="TrialContext.CancellationToken"/>.</param>
    public Task<StudyResult> OptimizeAsync(Func<TrialContext, CancellationToken, Task<double>> objective, StudyLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return new StudyOptimizeLoop(this, objective, limits ?? new StudyLimits()).RunAsync(cancellationToken);
    }

    /// <summary>Runs a synchronous objective; see <see cref="OptimizeAsync"/>.</summary>
    public StudyResult Optimize(Func<TrialContext, double> objective, StudyLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return OptimizeAsync((context, _) => Task.FromResult(objective(context)), limits, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Most trial ids the study hands out over all runs and workers (<see cref="TuningStudyOptions.TotalTrialBudget"/>), or null.</summary>
    internal int? TotalTrialBudget => _totalTrialBudget;

    /// <summary>Whether the total trial budget is known to be used up.</summary>
    internal bool BudgetReached
    {
        get
        {
            lock (_gate)
            {
                return _budgetReached;
            }
        }
    }

    /// <summary>Every trial and the best one now, as the result of a run.</summary>
    internal StudyResult Snapshot(StudyStopReason reason, TimeSpan elapsed)
    {
        lock (_gate)
        {
            return new StudyResult(_trials.Values.ToList(), _best, reason, elapsed, _warnings.ToList());
        }
    }

    /// <summary>Adds a stored trial (another worker's, or one of an earlier run) and tells the tuner if it has ended.</summary>
    private void AddKnown(TuningTrial trial)
    {
        _trials[trial.Id] = trial;
        _lastKnownId = Math.Max(_lastKnownId, trial.Id);
        if (trial.IsFinished && _toldTuner.Add(trial.Id))
        {
            Tuner.Complete(trial);
            UpdateBest(trial);
        }
        else if (trial.State == TrialState.Running && _toldRunning.Add(trial.Id))
        {
            Tuner.ObserveRunning(trial);
        }
    }

    private bool UpdateBest(TuningTrial trial)
    {
        if (trial.State != TrialState.Completed || trial.Loss is not double loss
            || (_best is not null && !TrialRanking.Beats(trial.Budget, loss, _best.Budget, _best.Loss!.Value, _rankAcrossBudgets)))
        {
            return false;
        }

        _best = trial;
        return true;
    }
}
