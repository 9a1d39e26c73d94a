namespace MLNetTuning.Pruners;

/// <summary>
/// Optuna's median stopping rule: prune when the trial's best loss so far is worse than the median of the
/// completed trials' losses at the same step. A <see cref="PercentilePruner"/> at 50.
/// </summary>
public sealed class MedianPruner : PercentilePruner
{
    /// <summary>Creates the pruner.</summary>
    /// <param name="startupTrials">No pruning until this many trials have completed. Default 5.</param>
    /// <param name="warmupSteps">No pruning before this step. Default 0.</param>
    /// <param name="intervalSteps">Check every this many steps after the warm-up. Default 1.</param>
    /// <param name="minTrialsAtStep">No pruning when fewer completed trials reported the step. Default 1.</param>
    public MedianPruner(int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1, int minTrialsAtStep = 1)
        : base(50, startupTrials, warmupSteps, intervalSteps, minTrialsAtStep)
    {
    }
}
