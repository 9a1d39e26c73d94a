namespace MLNetTuning.Studies;

/// <summary>
/// Which completed trial is best. By default a trial at a higher budget beats any trial at a lower one, so the best
/// trial is the best at the highest budget reached: a multi-fidelity run's cheap trials are judged on less training,
/// and a lucky short run must not win over the trials the tuner chose to train in full. A trial without a budget
/// counts as trained in full. With <c>acrossBudgets</c> the value alone decides. Ties keep the earlier trial.
/// </summary>
internal static class TrialRanking
{
    public static bool Beats(double? budget, double loss, double? bestBudget, double bestLoss, bool acrossBudgets)
    {
        if (!acrossBudgets)
        {
            var mine = budget ?? double.PositiveInfinity;
            var theirs = bestBudget ?? double.PositiveInfinity;
            if (!SameBudget(mine, theirs))
            {
                return mine > theirs;
            }
        }

        return loss < bestLoss;
    }

    /// <summary>Orders trials best first by the same rule.</summary>
    public static IOrderedEnumerable<TuningTrial> BestFirst(IEnumerable<TuningTrial> completed, bool acrossBudgets) =>
        (acrossBudgets ? completed.OrderBy(_ => 0) : completed.OrderByDescending(t => t.Budget ?? double.PositiveInfinity))
            .ThenBy(t => t.Loss)
            .ThenBy(t => t.Id);

    private static bool SameBudget(double a, double b) => a == b || Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
}
