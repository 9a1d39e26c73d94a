using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="BohbTuner"/>. Defaults follow Falkner et al. (2018).</summary>
public sealed class BohbTunerOptions : MultiFidelityOptions
{
    private int? _maxBrackets;
    private double _randomFraction = 1.0 / 3;
    private double _topFraction = 0.15;
    private int _candidates = 64;
    private double _bandwidthFactor = 3;
    private double _minBandwidth = 1e-3;
    private int? _minPointsInModel;

    /// <summary>Brackets to run before the tuner is finished; null (default) cycles Hyperband's brackets forever.</summary>
    public int? MaxBrackets
    {
        get => _maxBrackets;
        set => _maxBrackets = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBrackets), value, "MaxBrackets must be at least 1.");
    }

    /// <summary>Share of new configurations drawn uniformly even when a model exists, in [0, 1]. Default 1/3.</summary>
    public double RandomFraction
    {
        get => _randomFraction;
        set => _randomFraction = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(RandomFraction), value, "RandomFraction must be in [0, 1].");
    }

    /// <summary>Share of a budget's observations that make the good density, in (0, 1). Default 0.15.</summary>
    public double TopFraction
    {
        get => _topFraction;
        set => _topFraction = value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(TopFraction), value, "TopFraction must be in (0, 1).");
    }

    /// <summary>Candidates drawn from the good density per proposal, at least 1. Default 64.</summary>
    public int Candidates
    {
        get => _candidates;
        set => _candidates = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Candidates), value, "Candidates must be at least 1.");
    }

    /// <summary>Widening of the good density's bandwidths when drawing candidates, at least 1. Default 3.</summary>
    public double BandwidthFactor
    {
        get => _bandwidthFactor;
        set => _bandwidthFactor = double.IsFinite(value) && value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BandwidthFactor), value, "BandwidthFactor must be a finite number of at least 1.");
    }

    /// <summary>Smallest kernel bandwidth on the unit cube, positive. Default 0.001.</summary>
    public double MinBandwidth
    {
        get => _minBandwidth;
        set => _minBandwidth = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinBandwidth), value, "MinBandwidth must be a positive finite number.");
    }

    /// <summary>Fewest observations in each density; null (default) means the space's dimension + 1. A budget is
    /// modelled once it has this many + 2 observations.</summary>
    public int? MinPointsInModel
    {
        get => _minPointsInModel;
        set => _minPointsInModel = value is null or >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(MinPointsInModel), value, "MinPointsInModel must be at least 2.");
    }
}

/// <summary>
/// BOHB (Falkner et al. 2018): Hyperband's brackets and promotions, with new configurations proposed by a
/// TPE-like kernel-density model fitted on the largest budget that has enough results (a share stays random).
/// See <see cref="HyperbandTuner"/> for the brackets.
/// </summary>
public sealed class BohbTuner : BracketTuner
{
    /// <summary>Creates the tuner.</summary>
    /// <exception cref="ArgumentException">MaxBudget is below MinBudget.</exception>
    public BohbTuner(HyperparameterSpace space, BohbTunerOptions? options = null, int defaultSeed = 0)
        : base(
            space,
            options ??= new BohbTunerOptions(),
            () => BracketPlan.Hyperband(options.MinBudget, options.MaxBudget, options.ReductionFactor),
            new BohbDensitySampler(space ?? throw new ArgumentNullException(nameof(space)), options, options.Seed ?? defaultSeed),
            options.MaxBrackets)
    {
    }

    /// <summary>The brackets of one Hyperband iteration, s = s_max first.</summary>
    public IReadOnlyList<BracketPlan> Brackets => Plans;

    /// <summary>The budget whose observations the model is fitted on now, or null while proposals are random.</summary>
    public double? ModelBudget => ((BohbDensitySampler)Sampler).ModelBudget;
}
