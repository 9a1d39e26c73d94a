using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;

namespace MLNetTuning.Visualization;

/// <summary>What the charts read: a study's name, direction, space (when known) and trials.</summary>
public sealed class StudySnapshot
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="name">The study's name, shown in titles.</param>
    /// <param name="direction">Whether lower or higher values are better.</param>
    /// <param name="trials">Every trial of the study.</param>
    /// <param name="space">The search space; needed for parameter importance and log axes, optional otherwise.</param>
    public StudySnapshot(string name, OptimizationDirection direction, IReadOnlyList<TuningTrial> trials, HyperparameterSpace? space = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Direction = direction;
        Trials = (trials ?? throw new ArgumentNullException(nameof(trials))).OrderBy(t => t.Id).ToList();
        Space = space;
        Parameters = new ParameterTable(Trials, space);
    }

    /// <summary>The study's name.</summary>
    public string Name { get; }

    /// <summary>Whether lower or higher is better.</summary>
    public OptimizationDirection Direction { get; }

    /// <summary>Every trial, by id.</summary>
    public IReadOnlyList<TuningTrial> Trials { get; }

    /// <summary>The search space, when known.</summary>
    public HyperparameterSpace? Space { get; }

    /// <summary>The trials' parameters flattened to paths (a conditional branch's members only where it was chosen).</summary>
    public ParameterTable Parameters { get; }

    /// <summary>The study's confirmation on held-out test rows, or null when it held none back (or is not known).</summary>
    public StudyTestEvaluation? TestEvaluation { get; init; }

    /// <summary>Completed trials with a finite value, by id.</summary>
    public IReadOnlyList<TuningTrial> Completed => Trials.Where(t => t.State == TrialState.Completed && t.Value is double v && double.IsFinite(v)).ToList();

    /// <summary>The best completed trial, or null.</summary>
    public TuningTrial? Best => Direction == OptimizationDirection.Maximize ? Completed.MaxBy(t => t.Value) : Completed.MinBy(t => t.Value);

    /// <summary>A snapshot of a study run in this process.</summary>
    /// <param name="result">The run's result.</param>
    /// <param name="space">The study's space (<see cref="TuningStudy.Space"/>), for importance and log axes.</param>
    /// <param name="name">A name for titles.</param>
    /// <param name="direction">The study's direction; read from the trials (a loss that is the negated value means maximise) when null.</param>
    public static StudySnapshot From(StudyResult result, HyperparameterSpace? space = null, string name = "study", OptimizationDirection? direction = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var maximize = result.Trials.Any(t => t.Value is double v && t.Loss is double l && v != 0 && l == -v);
        return new StudySnapshot(name, direction ?? (maximize ? OptimizationDirection.Maximize : OptimizationDirection.Minimize), result.Trials, space);
    }

    /// <summary>A snapshot of a stored study.</summary>
    /// <exception cref="KeyNotFoundException">The store has no study of that name; the message lists the ones it has.</exception>
    public static StudySnapshot Load(ITrialStore store, string studyName)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = store.FindStudy(studyName);
        if (stored is null)
        {
            var known = store.ListStudies().Select(s => s.Name).ToList();
            throw new KeyNotFoundException($"The store has no study '{studyName}'. Studies: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
        }

        return new StudySnapshot(stored.Name, stored.Direction, store.Load(stored.Name), stored.Space)
        {
            TestEvaluation = stored.Attributes.TryGetValue(TuningConfirmation.StudyAttributeKey, out var json) ? StudyTestEvaluation.Parse(json) : null,
        };
    }
}
