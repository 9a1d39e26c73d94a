using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="SuccessiveHalvingTuner"/>.</summary>
public sealed class SuccessiveHalvingTunerOptions : MultiFidelityOptions
{
    private int? _configurations;
    private int? _maxBrackets;

    /// <summary>Configurations started in each bracket at <see cref="MultiFidelityOptions.MinBudget"/>; when null,
    /// η^s_max (one survives to the full budget). At least 1.</summary>
    public int? Configurations
    {
        get => _configurations;
        set => _configurations = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Configurations), value, "Configurations must be at least 1.");
    }

    /// <summary>Brackets to run before the tuner is finished; null (default) starts a new bracket whenever one ends.</summary>
    public int? MaxBrackets
    {
        get => _maxBrackets;
        set => _maxBrackets = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBrackets), value, "MaxBrackets must be at least 1.");
    }
}

/// <summary>
/// Successive halving (Jamieson and Talwalkar 2016): start n random configurations at the minimum budget, keep
/// the best 1/η at every rung and multiply their budget by η, up to the maximum budget. Synchronous: a rung is
/// promoted once all its trials ended (the study waits for running trials); failed trials are never promoted.
/// </summary>
/// <remarks>A promoted trial's proposal names the lower-rung trial as <see cref="TrialProposal.ParentTrialId"/>,
/// so an objective that keeps checkpoints can continue from it; others retrain at the larger budget.
/// Trials carry the attributes "bracket" and "rung"; a reopened study puts its stored trials back into their
/// brackets and rungs from them and goes on where it stopped.</remarks>
public sealed class SuccessiveHalvingTuner : BracketTuner
{
    /// <summary>Creates the tuner.</summary>
    /// <exception cref="ArgumentException">MaxBudget is below MinBudget.</exception>
    public SuccessiveHalvingTuner(HyperparameterSpace space, SuccessiveHalvingTunerOptions? options = null, int defaultSeed = 0)
        : base(
            space,
            options ??= new SuccessiveHalvingTunerOptions(),
            () => [PlanOf(options)],
            new UniformConfigurationSampler(space, options.Seed ?? defaultSeed),
            options.MaxBrackets)
    {
    }

    /// <summary>The bracket every round runs.</summary>
    public BracketPlan Plan => Plans[0];

    private static BracketPlan PlanOf(SuccessiveHalvingTunerOptions options)
    {
        var s = BracketPlan.MaxHalvings(options.MinBudget, options.MaxBudget, options.ReductionFactor);
        var n = options.Configurations ?? (int)Math.Round(Math.Pow(options.ReductionFactor, s));
        return BracketPlan.SuccessiveHalving(s, n, options.MinBudget, options.MaxBudget, options.ReductionFactor);
    }
}
