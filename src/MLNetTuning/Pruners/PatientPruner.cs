namespace MLNetTuning.Pruners;

/// <summary>
/// Optuna's patient pruner: lets the wrapped pruner decide only once the trial has not improved for
/// <see cref="Patience"/> consecutive steps, i.e. when the best loss of the last patience + 1 reports is worse
/// than the best before them by more than <see cref="MinDelta"/>. Without a wrapped pruner it prunes then (plain early stopping).
/// </summary>
public sealed class PatientPruner : ITrialPruner
{
    /// <summary>Creates the pruner.</summary>
    /// <param name="wrapped">The pruner that decides once patience has run out, or null to prune then.</param>
    /// <param name="patience">Steps without improvement tolerated, at least 0.</param>
    /// <param name="minDelta">Least decrease of the loss that counts as an improvement, at least 0. Default 0.</param>
    public PatientPruner(ITrialPruner? wrapped, int patience, double minDelta = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        if (!(double.IsFinite(minDelta) && minDelta >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number of at least 0.");
        }

        Wrapped = wrapped;
        Patience = patience;
        MinDelta = minDelta;
    }

    /// <summary>The wrapped pruner, or null.</summary>
    public ITrialPruner? Wrapped { get; }

    /// <summary>Steps without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Least improvement that counts.</summary>
    public double MinDelta { get; }

    /// <inheritdoc/>
    public bool ShouldPrune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var steps = context.Losses.Keys.Order().ToList();
        if (steps.Count <= Patience + 1)
        {
            return false;
        }

        var recentStart = steps.Count - Patience - 1;
        var before = BestOf(steps.Take(recentStart).Select(s => context.Losses[s]));
        var recent = BestOf(steps.Skip(recentStart).Select(s => context.Losses[s]));
        var stalled = before + MinDelta < recent;
        return stalled && (Wrapped?.ShouldPrune(context) ?? true);
    }

    private static double BestOf(IEnumerable<double> losses) => losses.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
}
