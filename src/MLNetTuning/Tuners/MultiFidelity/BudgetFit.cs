using System.Globalization;
using MLNetTuning.Pruners;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// Checks, before the first trial, that a trial cap can finish one bracket of a multi-fidelity tuner. Every
/// promotion is a trial of its own, so Hyperband's first bracket at R = 81, η = 3 takes 81 + 27 + 9 + 3 + 1 = 121
/// trials: with a cap of 40 no trial would be trained beyond the smallest budget, and the run is random search at
/// the smallest budget. The warning gives the numbers and the MinBudget that would fit.
/// </summary>
internal static class BudgetFit
{
    /// <summary>The warning for <paramref name="tuner"/> under <paramref name="maxTrials"/>, or null when a bracket fits (or no cap is set).</summary>
    public static string? CapWarning(IHyperparameterTuner tuner, int? maxTrials)
    {
        var inner = tuner is PrunedTuner pruned ? pruned.Inner : tuner;
        if (maxTrials is not int cap || FirstBracket(inner) is not (var plan, var eta, var minBudget, var maxBudget))
        {
            return null;
        }

        var needed = plan.Rungs.Sum(r => r.Configurations);
        if (needed <= cap)
        {
            return null;
        }

        var reached = plan.Rungs[0].Budget;
        var started = 0;
        foreach (var rung in plan.Rungs)
        {
            if (started >= cap)
            {
                break;
            }

            reached = rung.Budget;
            started += rung.Configurations;
        }

        var name = inner.GetType().Name.Replace("Tuner", "", StringComparison.Ordinal);
        var rungs = string.Join(", ", plan.Rungs.Select(r => $"{r.Configurations} at {Number(r.Budget)}"));
        var text = string.Create(CultureInfo.InvariantCulture, $"{name} over budgets {Number(minBudget)}–{Number(maxBudget)} with η = {Number(eta)}: its first bracket needs {needed} trials ({rungs}), but MaxTrials is {cap}, so no trial is trained beyond budget {Number(reached)}. Raise MaxTrials to at least {needed}");
        return Fitting(plan.S, eta, maxBudget, cap) is (var s, var fitMin, var fitTrials)
            ? text + string.Create(CultureInfo.InvariantCulture, $", or raise MinBudget to {Number(fitMin)} ({s} halvings, {fitTrials} trials per bracket).")
            : text + ".";
    }

    /// <summary>
    /// After the first trials: whether the time budget can finish one bracket, estimated from the fastest of
    /// <paramref name="measured"/> per budget unit, with the time of a trial taken as proportional to its budget
    /// (epochs, trees) and parallel trials sharing the work. Null when it can, or when there is nothing to estimate from.
    /// </summary>
    public static string? TimeWarning(IHyperparameterTuner tuner, IReadOnlyList<TuningTrial> measured, TimeSpan? timeBudget, int parallelTrials)
    {
        var inner = tuner is PrunedTuner pruned ? pruned.Inner : tuner;
        var first = measured.Where(t => t.Duration is not null && t.Budget > 0).MinBy(t => t.Duration!.Value.TotalSeconds / t.Budget!.Value);
        if (timeBudget is not { } time || first?.Duration is not { } took || first.Budget is not double budget
            || FirstBracket(inner) is not (var plan, var eta, var minBudget, var maxBudget))
        {
            return null;
        }

        var perUnit = took.TotalSeconds / budget;
        var seconds = plan.Rungs.Sum(r => r.Configurations * r.Budget * perUnit) / Math.Max(1, parallelTrials);
        if (seconds <= time.TotalSeconds)
        {
            return null;
        }

        var name = inner.GetType().Name.Replace("Tuner", "", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{name} over budgets {Number(minBudget)}–{Number(maxBudget)} with η = {Number(eta)}: its first bracket needs {plan.Rungs.Sum(r => r.Configurations)} trials, about {seconds:F0} s {(parallelTrials > 1 ? $"{parallelTrials} at a time " : "")}if a trial's time grows with its budget as trial {first.Id}'s {took.TotalSeconds:F2} s at budget {Number(budget)} suggests, but the time budget is {time.TotalSeconds:F0} s: the last rungs may never run. Give more time, or raise MinBudget.");
    }

    /// <summary>The first bracket a trial cap must finish: Hyperband's, BOHB's and successive halving's first plan;
    /// for ASHA's promotion mode, the trials that bring one configuration to the top rung.</summary>
    private static (BracketPlan Plan, double Eta, double MinBudget, double MaxBudget)? FirstBracket(IHyperparameterTuner tuner) => tuner switch
    {
        BracketTuner bracket => (bracket.FirstPlan, bracket.ReductionFactor, bracket.MinBudget, bracket.MaxBudget),
        AshaTuner { Mode: AshaMode.Promotion, RungBudgets.Count: > 1 } asha => (
            BracketPlan.SuccessiveHalving(asha.RungBudgets.Count - 1, TopCount(asha.ReductionFactor, asha.RungBudgets.Count - 1), asha.MinBudget, asha.MaxBudget, asha.ReductionFactor),
            asha.ReductionFactor,
            asha.MinBudget,
            asha.MaxBudget),
        _ => null,
    };

    /// <summary>The most halvings (at least one) whose bracket of η^s configurations fits in the cap, with its MinBudget.</summary>
    private static (int S, double MinBudget, int Trials)? Fitting(int halvings, double eta, double maxBudget, int cap)
    {
        for (var s = halvings - 1; s >= 1; s--)
        {
            var min = maxBudget / Math.Pow(eta, s);
            var trials = BracketPlan.SuccessiveHalving(s, TopCount(eta, s), min, maxBudget, eta).Rungs.Sum(r => r.Configurations);
            if (trials <= cap)
            {
                return (s, min, trials);
            }
        }

        return null;
    }

    private static int TopCount(double eta, int s) => (int)Math.Ceiling(Math.Pow(eta, s) - 1e-9);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
