namespace MLNetTuning.Tuners;

/// <summary>One rung of a successive-halving bracket: how many configurations run, at which budget.</summary>
/// <param name="Configurations">Configurations evaluated at this rung.</param>
/// <param name="Budget">The budget each gets.</param>
public sealed record RungPlan(int Configurations, double Budget);

/// <summary>
/// A successive-halving bracket (Li et al. 2018): <c>s</c> halvings, starting with <see cref="Configurations"/>
/// configurations at <see cref="Budget"/>, keeping the best 1/η at each rung.
/// </summary>
/// <param name="S">The bracket's index s: the number of halvings (rungs − 1).</param>
/// <param name="Rungs">The rungs, from the smallest budget to the full one.</param>
public sealed record BracketPlan(int S, IReadOnlyList<RungPlan> Rungs)
{
    /// <summary>n: configurations started in the bracket.</summary>
    public int Configurations => Rungs[0].Configurations;

    /// <summary>r: the budget of the first rung.</summary>
    public double Budget => Rungs[0].Budget;

    /// <summary>
    /// The brackets of Hyperband for a budget range: with R = max/min and s_max = ⌊log_η R⌋, bracket s
    /// (s_max down to 0) starts n = ⌈(s_max+1)/(s+1) · η^s⌉ configurations at r = max · η^(−s); rung i keeps
    /// ⌊n · η^(−i)⌋ of them at r · η^i.
    /// </summary>
    /// <exception cref="ArgumentException">A budget is not positive, max is below min, or η is not above 1.</exception>
    public static IReadOnlyList<BracketPlan> Hyperband(double minBudget, double maxBudget, double reductionFactor)
    {
        var sMax = MaxHalvings(minBudget, maxBudget, reductionFactor);
        var brackets = new List<BracketPlan>(sMax + 1);
        for (var s = sMax; s >= 0; s--)
        {
            var n = (int)Math.Ceiling(((sMax + 1.0) / (s + 1.0) * Math.Pow(reductionFactor, s)) - 1e-9);
            brackets.Add(SuccessiveHalving(s, n, minBudget, maxBudget, reductionFactor));
        }

        return brackets;
    }

    /// <summary>A single bracket of <paramref name="s"/> halvings starting <paramref name="configurations"/> configurations.</summary>
    /// <exception cref="ArgumentException">The budgets or η are invalid, s exceeds what the range allows, or configurations is below 1.</exception>
    public static BracketPlan SuccessiveHalving(int s, int configurations, double minBudget, double maxBudget, double reductionFactor)
    {
        var sMax = MaxHalvings(minBudget, maxBudget, reductionFactor);
        if (s < 0 || s > sMax)
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, $"A bracket over budgets [{minBudget}, {maxBudget}] with η = {reductionFactor} has 0 to {sMax} halvings.");
        }

        if (configurations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(configurations), configurations, "A bracket needs at least 1 configuration.");
        }

        var rungs = new List<RungPlan>(s + 1);
        for (var i = 0; i <= s; i++)
        {
            var kept = Math.Max(1, (int)Math.Floor((configurations / Math.Pow(reductionFactor, i)) + 1e-9));
            var budget = Math.Clamp(maxBudget / Math.Pow(reductionFactor, s - i), minBudget, maxBudget);
            rungs.Add(new RungPlan(kept, budget));
        }

        return new BracketPlan(s, rungs);
    }

    /// <summary>s_max = ⌊log_η(max/min)⌋, after checking the range and η.</summary>
    /// <exception cref="ArgumentException">A budget is not positive and finite, max is below min, or η is not above 1.</exception>
    public static int MaxHalvings(double minBudget, double maxBudget, double reductionFactor)
    {
        if (!double.IsFinite(minBudget) || minBudget <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minBudget), minBudget, "The minimum budget must be a positive finite number.");
        }

        if (!double.IsFinite(maxBudget) || maxBudget < minBudget)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBudget), maxBudget, $"The maximum budget must be a finite number at least the minimum budget ({minBudget}).");
        }

        if (!double.IsFinite(reductionFactor) || reductionFactor <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "The reduction factor η must be a finite number greater than 1.");
        }

        // The small slack keeps exact powers (81 = 3^4) from flooring to one less through rounding.
        return (int)Math.Floor((Math.Log(maxBudget / minBudget) / Math.Log(reductionFactor)) + 1e-9);
    }
}
