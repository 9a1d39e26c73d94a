namespace MLNetTuning.Pruners;

/// <summary>
/// Optuna's percentile rule: prune when the trial's best loss so far is worse than the given percentile of the
/// completed trials' losses at the same step (lower losses are better, so percentile 25 keeps the best quarter).
/// </summary>
public class PercentilePruner : ITrialPruner
{
    /// <summary>Creates the pruner.</summary>
    /// <param name="percentile">In [0, 100]: trials whose best loss is above this percentile are pruned.</param>
    /// <param name="startupTrials">No pruning until this many trials have completed. Default 5.</param>
    /// <param name="warmupSteps">No pruning before this step. Default 0.</param>
    /// <param name="intervalSteps">Check every this many steps after the warm-up (a missed check happens at the next report). Default 1.</param>
    /// <param name="minTrialsAtStep">No pruning when fewer completed trials reported the step. Default 1.</param>
    public PercentilePruner(double percentile, int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1, int minTrialsAtStep = 1)
    {
        if (!(percentile is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in [0, 100].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(startupTrials);
        PruningSchedule.Validate(warmupSteps, intervalSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(minTrialsAtStep, 1);
        Percentile = percentile;
        StartupTrials = startupTrials;
        WarmupSteps = warmupSteps;
        IntervalSteps = intervalSteps;
        MinTrialsAtStep = minTrialsAtStep;
    }

    /// <summary>The percentile in [0, 100].</summary>
    public double Percentile { get; }

    /// <summary>Completed trials needed before pruning starts.</summary>
    public int StartupTrials { get; }

    /// <summary>Steps before pruning starts.</summary>
    public int WarmupSteps { get; }

    /// <summary>Steps between checks.</summary>
    public int IntervalSteps { get; }

    /// <summary>Completed trials that must have reported the step.</summary>
    public int MinTrialsAtStep { get; }

    /// <inheritdoc/>
    public bool ShouldPrune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var completed = context.CompletedTrials;
        if (completed.Count == 0 || completed.Count < StartupTrials)
        {
            return false;
        }

        if (!PruningSchedule.IsCheckStep(context.Step, context.Losses.Keys, WarmupSteps, IntervalSteps))
        {
            return false;
        }

        var finite = context.Losses.Values.Where(v => !double.IsNaN(v)).ToList();
        if (finite.Count == 0)
        {
            return true;
        }

        var best = finite.Min();
        var atStep = completed.Where(t => t.ContainsKey(context.Step)).Select(t => t[context.Step]).Where(v => !double.IsNaN(v)).ToList();
        if (atStep.Count == 0 || atStep.Count < MinTrialsAtStep)
        {
            return false;
        }

        return best > PercentileOf(atStep, Percentile);
    }

    /// <summary>The p-th percentile with linear interpolation between order statistics (NumPy's default).</summary>
    internal static double PercentileOf(IReadOnlyList<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        var position = percentile / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
