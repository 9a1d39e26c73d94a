namespace MLNetTuning.Tuners;

/// <summary>
/// Options of <see cref="PbtTuner"/>. Defaults follow Ray Tune's <c>PopulationBasedTraining</c> where it has
/// one (quantile 0.25, resample probability 0.25, factors 1.2 and 0.8, no burn-in, asynchronous).
/// </summary>
public sealed class PbtTunerOptions
{
    private int _populationSize = 8;
    private double _perturbationInterval = 2;
    private double _maxBudget = 20;
    private double _burnInPeriod;
    private double _quantileFraction = 0.25;
    private double _resampleProbability = 0.25;
    private double[] _perturbationFactors = [1.2, 0.8];

    /// <summary>Members trained side by side, at least 2. Default 8 (Ray leaves this to the number of samples;
    /// 8 gives the 0.25 quantile two members at each end).</summary>
    public int PopulationSize
    {
        get => _populationSize;
        set => _populationSize = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(PopulationSize), value, "PBT needs a population of at least 2.");
    }

    /// <summary>Budget units (epochs) a member trains between two exploit/explore decisions. Default 2.</summary>
    public double PerturbationInterval
    {
        get => _perturbationInterval;
        set => _perturbationInterval = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(PerturbationInterval), value, "The perturbation interval must be a positive number of budget units.");
    }

    /// <summary>Budget units (epochs) each member trains in all. Default 20.</summary>
    public double MaxBudget
    {
        get => _maxBudget;
        set => _maxBudget = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MaxBudget), value, "MaxBudget must be a positive number of budget units.");
    }

    /// <summary>No member is replaced before it has trained this many budget units. Default 0.</summary>
    public double BurnInPeriod
    {
        get => _burnInPeriod;
        set => _burnInPeriod = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(BurnInPeriod), value, "BurnInPeriod must be zero or positive.");
    }

    /// <summary>The bottom fraction copies from a uniformly chosen member of the top fraction; in (0, 0.5]. Default 0.25.</summary>
    public double QuantileFraction
    {
        get => _quantileFraction;
        set => _quantileFraction = value > 0 && value <= 0.5 ? value : throw new ArgumentOutOfRangeException(nameof(QuantileFraction), value, "QuantileFraction must be in (0, 0.5].");
    }

    /// <summary>Chance that explore draws a hyperparameter afresh from its domain instead of perturbing it; in [0, 1]. Default 0.25.</summary>
    public double ResampleProbability
    {
        get => _resampleProbability;
        set => _resampleProbability = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ResampleProbability), value, "ResampleProbability must be in [0, 1].");
    }

    /// <summary>Factors a numeric hyperparameter is multiplied by, one chosen uniformly. Default 1.2 and 0.8.</summary>
    public IReadOnlyList<double> PerturbationFactors
    {
        get => _perturbationFactors;
        set => _perturbationFactors = value is { Count: > 0 } && value.All(f => f > 0 && double.IsFinite(f))
            ? value.ToArray()
            : throw new ArgumentOutOfRangeException(nameof(PerturbationFactors), "Give at least one positive, finite factor.");
    }

    /// <summary>Synchronous mode waits until every member has finished an interval, then decides for all at once
    /// (Jaderberg et al., appendix A.1); asynchronous mode (the default, as in Ray) decides for each member as it finishes.</summary>
    public bool Synchronous { get; set; }

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal PbtTunerOptions Clone() => (PbtTunerOptions)MemberwiseClone();
}
