using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Transfer;

/// <summary>
/// A warm start in progress: which source trials were enqueued for re-evaluation, the prior handed to the tuner,
/// and the negative-transfer guard, which switches the prior off once the re-evaluations are done unless their
/// new values rank like their old ones (see <see cref="WarmStartOptions.GuardMinCorrelation"/>).
/// </summary>
public sealed class WarmStart
{
    /// <summary>The trial attribute naming the source trial a re-evaluation repeats, as "study/id".</summary>
    public const string SourceTrialAttribute = "warm_start_from";

    private readonly object _lock = new();
    private readonly List<string> _messages = [];
    private readonly Dictionary<string, double> _oldLoss = [];
    private readonly List<(double Old, double New)> _pairs = [];
    private readonly WarmStartOptions _options;
    private PriorEvidence? _evidence;
    private int _ended;

    private WarmStart(StoredStudy source, WarmStartOptions options)
    {
        Source = source;
        _options = options;
    }

    /// <summary>The source study.</summary>
    public StoredStudy Source { get; }

    /// <summary>The prior handed to the tuner, or null when the tuner takes none or <see cref="WarmStartOptions.PriorWeight"/> is 0.</summary>
    public WarmStartPrior? Prior { get; private set; }

    /// <summary>How many source trials were enqueued for re-evaluation.</summary>
    public int ReEvaluatedCount { get; private set; }

    /// <summary>The guard's rank correlation between old and new values, once it has decided (null before, or without re-evaluations).</summary>
    public double? GuardCorrelation { get; private set; }

    /// <summary>Whether the guard has decided.</summary>
    public bool GuardDecided { get; private set; }

    /// <summary>Everything the warm start reported: parameters clipped or dropped, the guard's decision.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToList();
            }
        }
    }

    /// <summary>Reads the source's trials and maps them into <paramref name="space"/>: the points to re-evaluate and the prior.</summary>
    internal static (WarmStart Session, List<(TrialParameters Point, string SourceId)> ReEvaluate) Plan(HyperparameterSpace space, StoredStudy source, IReadOnlyList<TuningTrial> sourceTrials, WarmStartOptions options, bool tunerTakesPrior)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.TopK);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SpreadTrials);
        var session = new WarmStart(source, options);
        var ranked = sourceTrials.Where(t => t.State == TrialState.Completed && t.Loss is double l && double.IsFinite(l)).OrderBy(t => t.Loss).ThenBy(t => t.Id).ToList();
        if (ranked.Count == 0)
        {
            throw new ArgumentException($"The source study '{source.Name}' has no completed trials to warm start from.");
        }

        var notes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var mapped = ranked.Select(t => PartialParameters.MapFrom(space, t.Parameters, notes)).ToList();
        var chosen = Enumerable.Range(0, Math.Min(options.TopK, ranked.Count)).ToList();
        var top = chosen.Count;
        var rest = ranked.Count - top;
        var spread = Math.Min(options.SpreadTrials, rest);
        for (var i = 1; i <= spread; i++)
        {
            // Evenly spaced ranks below the top k, the last one the source's worst.
            chosen.Add(top - 1 + (int)Math.Round((double)i * rest / spread));
        }

        var reEvaluate = new List<(TrialParameters, string)>();
        foreach (var i in chosen.Distinct())
        {
            var id = $"{source.Name}/{ranked[i].Id.ToString(CultureInfo.InvariantCulture)}";
            session._oldLoss[id] = ranked[i].Loss!.Value;
            reEvaluate.Add((mapped[i], id));
        }

        session.ReEvaluatedCount = reEvaluate.Count;
        foreach (var (message, count) in notes)
        {
            session.Log($"Warm start from '{source.Name}': {message} ({count} source trial(s)).");
        }

        if (options.PriorWeight > 0 && tunerTakesPrior)
        {
            // A trial that lacks a parameter still informs the others: the tuner gives the missing one no information
            // from it (TPE: the flat prior kernel in that dimension; CMA-ES: the cold start's coordinate).
            var lacking = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var name in mapped.SelectMany(point => PartialParameters.MissingNames(space, point)))
            {
                lacking[name] = lacking.GetValueOrDefault(name) + 1;
            }

            foreach (var (name, count) in lacking)
            {
                session.Log($"Warm start from '{source.Name}': {count} source trial(s) lack '{name}'; their other parameters form the prior, which carries no information about '{name}' from them.");
            }

            session.Prior = new WarmStartPrior(ranked.Select((t, i) => new PriorObservation(mapped[i], t.Loss!.Value)).ToList(), options.PriorWeight, options.PriorHalfLife);
            if (options.PriorReweighting)
            {
                session._evidence = new PriorEvidence(space, session.Prior.Observations);
            }

            session.Log($"Warm start from '{source.Name}': {ranked.Count} source trial(s) form the tuner's prior, each weighing {options.PriorWeight:G3} at first and half after {options.PriorHalfLife:G3} own trials.");
        }
        else if (options.PriorWeight > 0)
        {
            session.Log($"Warm start from '{source.Name}': the tuner takes no prior; only the {reEvaluate.Count} re-evaluated trial(s) carry the source over.");
        }

        session.Log($"Warm start from '{source.Name}': {reEvaluate.Count} source trial(s) enqueued for re-evaluation (the best {Math.Min(options.TopK, ranked.Count)} and {reEvaluate.Count - Math.Min(options.TopK, ranked.Count)} spread over the rest).");
        return (session, reEvaluate);
    }

    /// <summary>Collects a re-evaluation's result and decides the guard once every re-evaluation has ended; after that,
    /// sets the prior's trust from the evidence at every completed trial (see <see cref="PriorEvidence"/>).</summary>
    internal void OnTrialEnded(object? sender, TrialEventArgs e)
    {
        var reEvaluated = e.Trial.Attributes.TryGetValue(SourceTrialAttribute, out var sourceId) && _oldLoss.ContainsKey(sourceId!);
        var completed = e.Trial.State == TrialState.Completed && e.Trial.Loss is double l && double.IsFinite(l);
        lock (_lock)
        {
            if (completed)
            {
                _evidence?.Add(e.Trial.Parameters, e.Trial.Loss!.Value);
            }

            if (reEvaluated)
            {
                _ended++;
                if (e.Trial.State == TrialState.Completed && e.Trial.Loss is double)
                {
                    _pairs.Add((_oldLoss[sourceId!], e.Trial.Loss!.Value));
                }

                if (_ended == ReEvaluatedCount && !GuardDecided)
                {
                    DecideGuard();
                }
            }

            // After the guard kept the prior, its weight follows the evidence at every own trial.
            if (completed && (GuardDecided || ReEvaluatedCount == 0) && _evidence is not null && Prior is { IsSwitchedOff: false })
            {
                Prior.SetTrust(_evidence.Trust());
            }
        }
    }

    private void DecideGuard()
    {
        GuardDecided = true;
        if (Prior is null)
        {
            return;
        }

        if (_pairs.Count < _options.GuardMinTrials)
        {
            Prior.SwitchOff();
            Log($"Negative-transfer guard: only {_pairs.Count} re-evaluated trial(s) completed, fewer than {_options.GuardMinTrials}; the prior is switched off and the study goes on cold.");
            return;
        }

        var rho = Spearman(_pairs);
        GuardCorrelation = rho;
        if (double.IsNaN(rho) || rho < _options.GuardMinCorrelation)
        {
            Prior.SwitchOff();
            Log($"Negative-transfer guard: the re-evaluated trials' rank correlation with their source values is {rho:F2} over {_pairs.Count} trials, below {_options.GuardMinCorrelation:F2}; the prior is switched off and the study goes on cold.");
        }
        else
        {
            Log($"Negative-transfer guard: rank correlation {rho:F2} over {_pairs.Count} re-evaluated trials (at least {_options.GuardMinCorrelation:F2}); the prior stays on{(_evidence is null ? "" : ", its weight following how well the source keeps predicting this study's trials")}.");
        }
    }

    /// <summary>Spearman's rank correlation (ties get their mean rank); NaN when either side is constant.</summary>
    internal static double Spearman(IReadOnlyList<(double Old, double New)> pairs) =>
        RankCorrelation.Spearman(pairs);

    private void Log(string message)
    {
        lock (_lock)
        {
            _messages.Add(message);
        }

        _options.Log?.Invoke(message);
    }
}
