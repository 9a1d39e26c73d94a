namespace MLNetTuning.Pruners;

/// <summary>
/// Optuna's threshold pruner: prune when the latest loss is below <see cref="Lower"/>, above <see cref="Upper"/>
/// or NaN. Thresholds are on the loss: when the study maximises a metric m, the loss is −m, so "prune when
/// accuracy falls below 0.6" is <c>upper: -0.6</c>.
/// </summary>
public sealed class ThresholdPruner : ITrialPruner
{
    /// <summary>Creates the pruner; give at least one threshold.</summary>
    /// <param name="lower">Prune below this loss, or null.</param>
    /// <param name="upper">Prune above this loss, or null.</param>
    /// <param name="warmupSteps">No pruning before this step. Default 0.</param>
    /// <param name="intervalSteps">Check every this many steps after the warm-up. Default 1.</param>
    public ThresholdPruner(double? lower = null, double? upper = null, int warmupSteps = 0, int intervalSteps = 1)
    {
        if (lower is null && upper is null)
        {
            throw new ArgumentException("Give a lower or an upper threshold (or both).", nameof(lower));
        }

        if (lower is double l && double.IsNaN(l))
        {
            throw new ArgumentOutOfRangeException(nameof(lower), lower, "The lower threshold is NaN.");
        }

        if (upper is double u && double.IsNaN(u))
        {
            throw new ArgumentOutOfRangeException(nameof(upper), upper, "The upper threshold is NaN.");
        }

        if (lower > upper)
        {
            throw new ArgumentException($"The lower threshold ({lower}) is above the upper threshold ({upper}).", nameof(lower));
        }

        PruningSchedule.Validate(warmupSteps, intervalSteps);
        Lower = lower ?? double.NegativeInfinity;
        Upper = upper ?? double.PositiveInfinity;
        WarmupSteps = warmupSteps;
        IntervalSteps = intervalSteps;
    }

    /// <summary>Losses below this are pruned (−∞ when not given).</summary>
    public double Lower { get; }

    /// <summary>Losses above this are pruned (+∞ when not given).</summary>
    public double Upper { get; }

    /// <summary>Steps before pruning starts.</summary>
    public int WarmupSteps { get; }

    /// <summary>Steps between checks.</summary>
    public int IntervalSteps { get; }

    /// <inheritdoc/>
    public bool ShouldPrune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!PruningSchedule.IsCheckStep(context.Step, context.Losses.Keys, WarmupSteps, IntervalSteps))
        {
            return false;
        }

        var loss = context.Loss;
        return double.IsNaN(loss) || loss < Lower || loss > Upper;
    }
}
