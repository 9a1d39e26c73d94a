using System.Text.RegularExpressions;
using MLNetTuning.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>Options of a <see cref="TuningStudy"/>.</summary>
public sealed class TuningStudyOptions
{
    private string _name = "study";
    private string _metricName = "value";
    private TimeSpan? _heartbeatTimeout;
    private TimeSpan? _heartbeatInterval;
    private int? _totalTrialBudget;

    /// <summary>The study's name in its store: letters, digits, '-', '_' and '.', at most 128 characters. Default "study".</summary>
    public string Name
    {
        get => _name;
        set => _name = ValidateName(value);
    }

    /// <summary>Whether the metric is better lower (default) or higher.</summary>
    public OptimizationDirection Direction { get; set; } = OptimizationDirection.Minimize;

    /// <summary>Receives a <see cref="TrialProgress"/> for every trial of this study object that ends (completed,
    /// pruned or failed), on the thread that ended it; null (default) for none. Studies made by
    /// <c>mlContext.Tuning().CreateStudy</c> also write the same line to <c>MLContext.Log</c>.</summary>
    public IProgress<TrialProgress>? Progress { get; set; }

    /// <summary>The metric's name in progress lines. Default "value".</summary>
    public string MetricName
    {
        get => _metricName;
        set => _metricName = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("MetricName must not be empty.", nameof(MetricName));
    }

    /// <summary>False (default): the best trial is the best among the trials at the highest budget reached, so a
    /// multi-fidelity run's best is one the tuner trained in full, not a lucky short run. True: the best value at
    /// any budget. Trials without a budget count as trained in full.</summary>
    public bool RankAcrossBudgets { get; set; }

    /// <summary>Where trials are kept; in memory when null.</summary>
    public ITrialStore? Store { get; set; }

    /// <summary>
    /// Null (default): this study is the only one running trials under its name, so trials found running when
    /// it opens were interrupted and are marked failed at once. Set it to share the study with other workers
    /// (threads, processes, machines): running trials then send heartbeats, before each proposal the study
    /// takes in what other workers finished, and a running trial whose heartbeat is older than this timeout
    /// (or whose process on this machine is gone) is marked failed.
    /// </summary>
    public TimeSpan? HeartbeatTimeout
    {
        get => _heartbeatTimeout;
        set => _heartbeatTimeout = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(HeartbeatTimeout), value, "HeartbeatTimeout must be positive.");
    }

    /// <summary>How often running trials send a heartbeat and expired trials are looked for; default a quarter of <see cref="HeartbeatTimeout"/>.</summary>
    public TimeSpan? HeartbeatInterval
    {
        get => _heartbeatInterval;
        set => _heartbeatInterval = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), value, "HeartbeatInterval must be positive.");
    }

    /// <summary>When this worker marks a dead worker's trial failed, it runs the same parameters again under a new id
    /// (attribute "requeued_from"). Default false.</summary>
    public bool RequeueExpiredTrials { get; set; }

    /// <summary>This worker's id, stored with its trials; default <c>host/pid/start/n</c> (see <see cref="WorkerIds"/>).</summary>
    public string? WorkerId { get; set; }

    /// <summary>Most trial ids the study hands out over all runs and workers, or null. Ids are reserved atomically
    /// in the store, so workers sharing a study stop together at exactly this many trials.</summary>
    public int? TotalTrialBudget
    {
        get => _totalTrialBudget;
        set => _totalTrialBudget = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(TotalTrialBudget), value, "TotalTrialBudget must be at least 1.");
    }

    internal static string ValidateName(string? name) =>
        name is not null && Regex.IsMatch(name, "^[A-Za-z0-9_.-]{1,128}$")
            ? name
            : throw new ArgumentException($"Invalid study name '{name}': use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(name));
}
