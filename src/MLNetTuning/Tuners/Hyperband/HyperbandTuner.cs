using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="HyperbandTuner"/>.</summary>
public sealed class HyperbandTunerOptions : MultiFidelityOptions
{
    private int? _maxBrackets;

    /// <summary>Brackets to run before the tuner is finished (s_max + 1 make one Hyperband iteration); null (default) cycles forever.</summary>
    public int? MaxBrackets
    {
        get => _maxBrackets;
        set => _maxBrackets = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBrackets), value, "MaxBrackets must be at least 1.");
    }
}

/// <summary>
/// Hyperband (Li et al. 2018): successive-halving brackets that trade many cheap configurations against few
/// expensive ones. With R = MaxBudget/MinBudget and s_max = ⌊log_η R⌋, bracket s = s_max … 0 starts
/// n = ⌈(s_max+1)/(s+1) · η^s⌉ random configurations at budget MaxBudget · η^(−s). See <see cref="Brackets"/>.
/// </summary>
/// <remarks>Brackets run in that order and then repeat. With parallel trials, the next bracket starts while one
/// waits for its rung to fill. Promotions carry the lower-rung trial as <see cref="TrialProposal.ParentTrialId"/>;
/// trials carry the attributes "bracket" (sequence number) and "rung".</remarks>
public sealed class HyperbandTuner : BracketTuner
{
    /// <summary>Creates the tuner.</summary>
    /// <exception cref="ArgumentException">MaxBudget is below MinBudget.</exception>
    public HyperbandTuner(HyperparameterSpace space, HyperbandTunerOptions? options = null, int defaultSeed = 0)
        : base(
            space,
            options ??= new HyperbandTunerOptions(),
            () => BracketPlan.Hyperband(options.MinBudget, options.MaxBudget, options.ReductionFactor),
            new UniformConfigurationSampler(space, options.Seed ?? defaultSeed),
            options.MaxBrackets)
    {
    }

    /// <summary>The brackets of one Hyperband iteration, s = s_max first.</summary>
    public IReadOnlyList<BracketPlan> Brackets => Plans;
}
