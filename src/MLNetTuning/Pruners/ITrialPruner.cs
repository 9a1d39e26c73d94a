namespace MLNetTuning.Pruners;

/// <summary>
/// Decides from intermediate results whether a running trial should stop. Pruners see minimised losses (the
/// metric negated when the study maximises). Plug one into any tuner with
/// <see cref="PrunedTunerExtensions.WithPruner(Tuners.TunerFactory, ITrialPruner)"/>.
/// </summary>
/// <remarks>Pruners keep no state of their own: everything they judge by is in the <see cref="PruningContext"/>.</remarks>
public interface ITrialPruner
{
    /// <summary>True when the trial should stop now.</summary>
    bool ShouldPrune(PruningContext context);
}

/// <summary>What a pruner judges by: the running trial's losses so far and those of the completed trials.</summary>
public sealed class PruningContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="trialId">The running trial.</param>
    /// <param name="step">The step just reported.</param>
    /// <param name="losses">The running trial's losses by step, the one at <paramref name="step"/> included.</param>
    /// <param name="completedTrials">Losses by step of every completed (not pruned, not failed) trial.</param>
    /// <exception cref="ArgumentException">No loss is given for <paramref name="step"/>.</exception>
    public PruningContext(int trialId, int step, IReadOnlyDictionary<int, double> losses, IReadOnlyList<IReadOnlyDictionary<int, double>> completedTrials)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(completedTrials);
        if (!losses.ContainsKey(step))
        {
            throw new ArgumentException($"The losses of trial {trialId} have no value at the reported step {step}.", nameof(losses));
        }

        TrialId = trialId;
        Step = step;
        Losses = losses;
        CompletedTrials = completedTrials;
    }

    /// <summary>The running trial.</summary>
    public int TrialId { get; }

    /// <summary>The step just reported (the trial's last step).</summary>
    public int Step { get; }

    /// <summary>The running trial's losses by step.</summary>
    public IReadOnlyDictionary<int, double> Losses { get; }

    /// <summary>Losses by step of the completed trials.</summary>
    public IReadOnlyList<IReadOnlyDictionary<int, double>> CompletedTrials { get; }

    /// <summary>The loss at <see cref="Step"/>.</summary>
    public double Loss => Losses[Step];
}
