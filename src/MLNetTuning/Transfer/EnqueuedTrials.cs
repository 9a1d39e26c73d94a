using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Transfer;

/// <summary>
/// The points a study runs before asking its tuner, in the order they were enqueued. A point that names every
/// parameter runs exactly as given; a partial one is completed from the tuner's proposal for the same trial id
/// (or, when the tuner proposes nothing, from the space's defaults).
/// </summary>
internal sealed class EnqueuedTrials
{
    /// <summary>The trial attribute marking an enqueued trial: "full", or "partial" with how it was completed.</summary>
    public const string Attribute = "enqueued";

    private readonly Queue<(TrialParameters Parameters, IReadOnlyDictionary<string, string>? Attributes)> _queue = new();

    public int Count => _queue.Count;

    /// <summary>Checks and queues a point.</summary>
    /// <exception cref="ArgumentException">A name is not in the space or a value is outside its domain.</exception>
    public void Add(HyperparameterSpace space, IReadOnlyDictionary<string, object?> parameters, IReadOnlyDictionary<string, string>? attributes = null) =>
        _queue.Enqueue((PartialParameters.Validate(space, parameters), attributes));

    /// <summary>Takes the next point as trial <paramref name="id"/>, or null when the queue is empty.</summary>
    public TuningTrial? TryTake(int id, IHyperparameterTuner tuner)
    {
        if (!_queue.TryDequeue(out var next))
        {
            return null;
        }

        TuningTrial trial;
        if (PartialParameters.IsComplete(tuner.Space, next.Parameters))
        {
            trial = new TuningTrial(id, PartialParameters.Complete(tuner.Space, next.Parameters, null));
            trial.SetAttribute(Attribute, "full");

            // The tuner did not propose it: tell it the point is taken (a grid skips it, TPE counts it as pending).
            tuner.ObserveRunning(trial);
        }
        else
        {
            var proposal = tuner.IsFinished ? null : tuner.Propose(id);
            trial = new TuningTrial(id, PartialParameters.Complete(tuner.Space, next.Parameters, proposal?.Parameters), proposal?.Budget, proposal?.ParentTrialId);
            foreach (var (key, value) in proposal?.Attributes ?? new Dictionary<string, string>())
            {
                trial.SetAttribute(key, value);
            }

            trial.SetAttribute(Attribute, proposal is null ? "partial, completed from the space's defaults" : "partial, completed by the tuner");
        }

        foreach (var (key, value) in next.Attributes ?? new Dictionary<string, string>())
        {
            trial.SetAttribute(key, value);
        }

        return trial;
    }
}
