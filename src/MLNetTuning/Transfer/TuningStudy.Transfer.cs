using MLNetTuning.Storage;
using MLNetTuning.Transfer;

namespace MLNetTuning.Studies;

/// <summary>Enqueueing points and warm starting from earlier studies (see docs/retuning.md).</summary>
public sealed partial class TuningStudy
{
    /// <summary>Queues a point to run before the tuner's own proposals; queued points run first, in order, and the
    /// tuner learns from their results as from any other trial.</summary>
    /// <param name="parameters">Values by name: a full <see cref="SearchSpaces.TrialParameters"/>, or a partial dictionary whose
    /// missing parameters the tuner draws (from its proposal for that trial; from the space's defaults when it proposes nothing).
    /// A conditional parameter may be given as a branch name alone, or as a <see cref="SearchSpaces.BranchSelection"/>
    /// with some of the branch's parameters; nested spaces as dictionaries.</param>
    /// <remarks>The queue lives in this object only: it is not stored, and other workers of a shared study do not see it.</remarks>
    /// <exception cref="ArgumentException">A name is not in the space or a value is outside its domain; the message names it.</exception>
    public void Enqueue(IReadOnlyDictionary<string, object?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        lock (_gate)
        {
            _enqueued.Add(Space, parameters);
        }
    }

    /// <summary>How many enqueued points have not started yet.</summary>
    public int EnqueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _enqueued.Count;
            }
        }
    }

    /// <summary>Warm starts from an earlier study: its best trials (and a few spread over the rest) are enqueued and
    /// re-evaluated first, and a model-based tuner (<see cref="IWarmStartableTuner"/>: TPE, CMA-ES, the GP) takes all its completed
    /// trials as a prior whose weight decays as this study's own trials accumulate. The spaces may differ: values outside
    /// the new ranges are clipped, values and names that do not fit are dropped, and parameters the source lacks are
    /// drawn; <see cref="WarmStart.Messages"/> says which. Once the re-evaluations are done, the negative-transfer guard
    /// switches the prior off unless their new values rank like their old ones.</summary>
    /// <param name="source">The earlier study, in <see cref="WarmStartOptions.SourceStore"/> (this study's store when null).</param>
    /// <param name="options">How many trials to re-evaluate, the prior's weight and the guard's rule.</param>
    /// <returns>The warm start: its messages, prior and guard decision.</returns>
    /// <exception cref="ArgumentException">The store holds no such study, or the study has no completed trial.</exception>
    public WarmStart WarmStartFrom(StoredStudy source, WarmStartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new WarmStartOptions();
        var store = options.SourceStore ?? _store;
        if (store.FindStudy(source.Name) is null)
        {
            throw new ArgumentException($"The source study '{source.Name}' is not in the source store. Studies there: {KnownStudies(store)}.", nameof(source));
        }

        var priorTaker = PriorTaker(Tuner);
        var (session, reEvaluate) = WarmStart.Plan(Space, source, store.Load(source.Name), options, priorTaker is not null);
        lock (_gate)
        {
            if (session.Prior is not null)
            {
                priorTaker!.SetWarmStartPrior(session.Prior);
            }

            // A resumed study does not re-evaluate again what it already re-evaluated: those results count at once.
            var done = _trials.Values.Where(t => t.IsFinished && t.Attributes.ContainsKey(WarmStart.SourceTrialAttribute))
                .ToDictionary(t => t.Attributes[WarmStart.SourceTrialAttribute], t => t);
            foreach (var (point, sourceId) in reEvaluate)
            {
                if (done.TryGetValue(sourceId, out var earlier))
                {
                    session.OnTrialEnded(this, new TrialEventArgs(earlier));
                }
                else
                {
                    _enqueued.Add(Space, point, new Dictionary<string, string> { [WarmStart.SourceTrialAttribute] = sourceId });
                }
            }
        }

        TrialCompleted += session.OnTrialEnded;
        TrialPruned += session.OnTrialEnded;
        TrialFailed += session.OnTrialEnded;
        return session;
    }

    /// <summary>Warm starts from the study of that name; see <see cref="WarmStartFrom(StoredStudy, WarmStartOptions?)"/>.</summary>
    /// <exception cref="ArgumentException">The source store holds no study of that name; the message lists those it holds.</exception>
    public WarmStart WarmStartFrom(string sourceStudyName, WarmStartOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceStudyName);
        var store = options?.SourceStore ?? _store;
        var source = store.FindStudy(sourceStudyName)
            ?? throw new ArgumentException($"The source study '{sourceStudyName}' is not in the source store. Studies there: {KnownStudies(store)}.", nameof(sourceStudyName));
        return WarmStartFrom(source, options);
    }

    /// <summary>The tuner that takes a prior, looking through a pruner's wrapper (and not the auto tuner's random search).</summary>
    private static IWarmStartableTuner? PriorTaker(Tuners.IHyperparameterTuner tuner) => tuner switch
    {
        Tuners.AutoTuner auto => auto.TakesPrior ? auto : null,
        IWarmStartableTuner taker => taker,
        Pruners.PrunedTuner pruned => PriorTaker(pruned.Inner),
        _ => null,
    };

    private static string KnownStudies(ITrialStore store)
    {
        var names = store.ListStudies().Select(s => s.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
