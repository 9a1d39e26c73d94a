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
}
