using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Studies;

/// <summary>Where a trial is in its life.</summary>
public enum TrialState
{
    /// <summary>Proposed and running.</summary>
    Running,

    /// <summary>Finished with a value.</summary>
    Completed,

    /// <summary>Stopped early on the tuner's decision; its value is the last one reported.</summary>
    Pruned,

    /// <summary>Threw, returned NaN or infinity, was cancelled, or was interrupted; see <see cref="TuningTrial.Error"/>.</summary>
    Failed,
}

/// <summary>Whether the study's metric is better when lower or higher.</summary>
public enum OptimizationDirection
{
    /// <summary>Lower is better (loss, RMSE).</summary>
    Minimize,

    /// <summary>Higher is better (AUC, accuracy); the tuner is handed the negated value.</summary>
    Maximize,
}

/// <summary>One evaluation of one set of hyperparameters (at one budget).</summary>
/// <remarks>The study changes a trial under its lock; read a finished trial freely, a running one only from its own objective.</remarks>
public sealed class TuningTrial
{
    private readonly SortedDictionary<int, double> _intermediate = [];
    private readonly SortedDictionary<string, string> _attributes = new(StringComparer.Ordinal);

    /// <summary>Creates a running trial.</summary>
    public TuningTrial(int id, TrialParameters parameters, double? budget = null, int? parentTrialId = null, DateTimeOffset? startedAt = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        Id = id;
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        Budget = budget;
        ParentTrialId = parentTrialId;
        StartedAt = startedAt ?? DateTimeOffset.UtcNow;
    }

    /// <summary>Trial number within its study, from 0.</summary>
    public int Id { get; }

    /// <summary>The proposed hyperparameters.</summary>
    public TrialParameters Parameters { get; }

    /// <summary>The budget (epochs, trees, data fraction) or null for a single-fidelity trial.</summary>
    public double? Budget { get; }

    /// <summary>The trial whose checkpoint this one continues from, or null.</summary>
    public int? ParentTrialId { get; }

    /// <summary>State.</summary>
    public TrialState State { get; internal set; } = TrialState.Running;

    /// <summary>The metric as the user knows it (AUC stays AUC); null unless completed or pruned.</summary>
    public double? Value { get; internal set; }

    /// <summary>The value the tuner minimised: <see cref="Value"/>, negated when the study maximises.</summary>
    public double? Loss { get; internal set; }

    /// <summary>Intermediate values by step, as the user reported them.</summary>
    public IReadOnlyDictionary<int, double> IntermediateValues => _intermediate;

    /// <summary>Free-form notes: the tuner's (bracket, rung, perturbation) and the objective's (trainer name).</summary>
    public IReadOnlyDictionary<string, string> Attributes => _attributes;

    /// <summary>Why the trial failed: the exception's type and message.</summary>
    public string? Error { get; internal set; }

    /// <summary>The exception a failed trial threw, when it ran in this process.</summary>
    public Exception? Exception { get; internal set; }

    /// <summary>When the trial started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When the trial ended, or null while running.</summary>
    public DateTimeOffset? CompletedAt { get; internal set; }

    /// <summary>How long the trial ran, or null while running.</summary>
    public TimeSpan? Duration => CompletedAt - StartedAt;

    /// <summary>The worker (process) that runs or ran the trial, e.g. "host/1234/3fa2c1"; null when not recorded.</summary>
    public string? WorkerId { get; internal set; }

    /// <summary>When the store last heard from the trial's worker (the store's clock); a running trial whose
    /// heartbeat is older than the study's timeout is taken for dead.</summary>
    public DateTimeOffset? HeartbeatAt { get; internal set; }

    /// <summary>Set once the tuner answered <see cref="Tuners.TrialDecision.Stop"/>.</summary>
    public bool StopRequested { get; internal set; }

    /// <summary>Whether the trial has ended.</summary>
    public bool IsFinished => State != TrialState.Running;

    internal void AddIntermediate(int step, double value) => _intermediate[step] = value;

    internal void SetAttribute(string key, string value) => _attributes[key] = value;

    /// <summary>Restores a stored trial's results; for trial stores.</summary>
    public void Restore(TrialState state, double? value, double? loss, string? error, DateTimeOffset? completedAt, IEnumerable<KeyValuePair<int, double>>? intermediate = null, IEnumerable<KeyValuePair<string, string>>? attributes = null, string? workerId = null, DateTimeOffset? heartbeatAt = null)
    {
        WorkerId = workerId ?? WorkerId;
        HeartbeatAt = heartbeatAt ?? HeartbeatAt;
        State = state;
        Value = value;
        Loss = loss;
        Error = error;
        CompletedAt = completedAt;
        foreach (var (step, v) in intermediate ?? [])
        {
            _intermediate[step] = v;
        }

        foreach (var (k, v) in attributes ?? [])
        {
            _attributes[k] = v;
        }
    }

    /// <summary>A deep copy, so that a store can keep a snapshot that later changes do not reach.</summary>
    internal TuningTrial Clone()
    {
        var copy = new TuningTrial(Id, Parameters, Budget, ParentTrialId, StartedAt)
        {
            StopRequested = StopRequested,
            Exception = Exception,
        };
        copy.Restore(State, Value, Loss, Error, CompletedAt, _intermediate, _attributes, WorkerId, HeartbeatAt);
        return copy;
    }

    /// <inheritdoc/>
    /// <remarks>A trial with a budget names it beside its parameters: "Trial 7 {...} (FastTree: 37 trees at budget 9): completed 0.91".</remarks>
    public override string ToString()
    {
        var budget = TrialProgress.Budget(this) is { } b ? $" ({b})" : "";
        return State switch
        {
            TrialState.Failed => $"Trial {Id} {Parameters}{budget}: failed: {Error}",
            TrialState.Running => $"Trial {Id} {Parameters}{budget}: running",
            _ => $"Trial {Id} {Parameters}{budget}: {State.ToString().ToLowerInvariant()} {TrialParameters.FormatValue(Value)}",
        };
    }
}
