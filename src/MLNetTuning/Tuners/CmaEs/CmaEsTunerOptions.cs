namespace MLNetTuning.Tuners;

/// <summary>Where CMA-ES puts the mean of its first search distribution.</summary>
public enum CmaEsStartPoint
{
    /// <summary>The space's defaults (a range without an explicit default starts at its encoded centre).</summary>
    Defaults,

    /// <summary>The centre of the unit cube, whatever the defaults.</summary>
    Centre,
}

/// <summary>Options of <see cref="CmaEsTuner"/>. The defaults are Hansen's ("The CMA Evolution Strategy: A Tutorial", 2016).</summary>
public sealed class CmaEsTunerOptions
{
    private double _initialSigma = 1.0 / 6.0;
    private int? _populationSize;
    private double _populationGrowth = 2.0;
    private double _toleranceFunction = 1e-12;
    private double _toleranceX = 1e-7;
    private double _maxConditionNumber = 1e14;
    private int _maxResamples = 10;
    private int _initialRandomTrials;

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>Where the first mean is. Default <see cref="CmaEsStartPoint.Defaults"/>; warm-started studies
    /// (trials replayed before the first proposal) start at their best trial instead.</summary>
    public CmaEsStartPoint StartPoint { get; set; } = CmaEsStartPoint.Defaults;

    /// <summary>Initial step size σ₀ in units of the unit cube. Default 1/6, so that ±3σ₀ spans the cube; in (0, 1].</summary>
    public double InitialSigma
    {
        get => _initialSigma;
        set => _initialSigma = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InitialSigma), value, "The initial step size must be in (0, 1] (units of the unit cube).");
    }

    /// <summary>Population size λ of the first run; null (default) for Hansen's λ = 4 + ⌊3 ln n⌋. At least 2.</summary>
    public int? PopulationSize
    {
        get => _populationSize;
        set => _populationSize = value is null or >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(PopulationSize), value, "CMA-ES needs a population of at least 2.");
    }

    /// <summary>Factor by which each restart multiplies the population (IPOP-CMA-ES). Default 2 (Auger and Hansen, 2005);
    /// 1 restarts with the same population. At least 1.</summary>
    public double PopulationGrowth
    {
        get => _populationGrowth;
        set => _populationGrowth = value >= 1 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(PopulationGrowth), value, "The population growth on restart must be a finite number ≥ 1.");
    }

    /// <summary>Restart when the losses of the last 10 + ⌈30n/λ⌉ generations' best trials and of the current
    /// generation span less than this. Default 1e-12; non-negative (0 disables this criterion).</summary>
    public double ToleranceFunction
    {
        get => _toleranceFunction;
        set => _toleranceFunction = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(ToleranceFunction), value, "The function tolerance must be a finite number ≥ 0.");
    }

    /// <summary>Restart when every coordinate's standard deviation (and evolution path) is below this, in units of
    /// the unit cube. Default 1e-7, far below any hyperparameter's meaningful resolution; non-negative (0 disables).</summary>
    public double ToleranceX
    {
        get => _toleranceX;
        set => _toleranceX = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(ToleranceX), value, "The step tolerance must be a finite number ≥ 0.");
    }

    /// <summary>Restart when the covariance matrix's condition number exceeds this. Default 1e14; greater than 1.</summary>
    public double MaxConditionNumber
    {
        get => _maxConditionNumber;
        set => _maxConditionNumber = value > 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConditionNumber), value, "The largest condition number must be greater than 1.");
    }

    /// <summary>Uniformly random trials proposed before CMA-ES starts; the first mean is then the best of them.
    /// Default 0 (the mean starts at <see cref="StartPoint"/>); non-negative.</summary>
    public int InitialRandomTrials
    {
        get => _initialRandomTrials;
        set => _initialRandomTrials = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(InitialRandomTrials), value, "The number of initial random trials must be ≥ 0.");
    }

    /// <summary>Whether the first trial is the start point itself (the defaults, or the centre), outside the first
    /// generation. Default true: the defaults of an ML trainer are usually a sound configuration, and trying them
    /// first is what a user would do (SMAC's initial design does the same); it costs one trial.</summary>
    public bool EvaluateStartPoint { get; set; } = true;

    /// <summary>Whether each generation also proposes its distribution's mean, once, before its samples. The mean is
    /// CMA-ES's estimate of the optimum; it takes no part in the update, which stays Hansen's. Default false: with
    /// the surrogate on, the extra trial per generation did not pay on our benchmark functions.</summary>
    public bool EvaluateMean { get; set; }

    /// <summary>Whether a linear-quadratic surrogate of the loss ranks each generation's samples before they are
    /// evaluated, so that only the most promising are evaluated while the surrogate ranks recent trials well
    /// (lq-CMA-ES, Hansen 2019). It saves trials on smooth objectives and falls back to plain CMA-ES where the
    /// surrogate ranks badly. Default true.</summary>
    public bool Surrogate { get; set; } = true;

    /// <summary>Whether the search restarts (with a larger population) when it has converged. Default true.</summary>
    public bool Restarts { get; set; } = true;

    /// <summary>How many times a sample that falls outside the unit cube is redrawn before it is mirrored back in.
    /// Default 10; non-negative.</summary>
    public int MaxResamples
    {
        get => _maxResamples;
        set => _maxResamples = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxResamples), value, "The number of resamples must be ≥ 0.");
    }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal CmaEsTunerOptions Clone() => (CmaEsTunerOptions)MemberwiseClone();
}
