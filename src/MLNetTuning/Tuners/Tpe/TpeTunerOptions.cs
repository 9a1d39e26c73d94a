namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="TpeTuner"/>. The defaults are Optuna's (Bergstra et al. 2011, as Optuna
/// refined it); every setter rejects values the algorithm cannot use.</summary>
public sealed class TpeTunerOptions
{
    private int _startupTrials = 10;
    private int _candidateCount = 24;
    private double _goodFraction = 0.1;
    private int _maxGoodTrials = 25;
    private double _priorWeight = 1.0;
    private int _fullWeightTrials = 25;

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>Trials drawn at random before the model is used: until this many trials completed or were
    /// pruned. Default 10.</summary>
    public int StartupTrials
    {
        get => _startupTrials;
        set => _startupTrials = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(StartupTrials), value, "StartupTrials must be 0 or more.");
    }

    /// <summary>Points drawn from the good trials' density per proposal; the one with the highest ratio of
    /// good to bad density (expected improvement) is proposed. Default 24.</summary>
    public int CandidateCount
    {
        get => _candidateCount;
        set => _candidateCount = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CandidateCount), value, "CandidateCount must be at least 1.");
    }

    /// <summary>γ: the share of finished trials counted as good, rounded up: good = min(⌈γ·n⌉, <see cref="MaxGoodTrials"/>).
    /// Default 0.1.</summary>
    public double GoodFraction
    {
        get => _goodFraction;
        set => _goodFraction = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GoodFraction), value, "GoodFraction must be in (0, 1].");
    }

    /// <summary>Cap on the number of good trials. Default 25.</summary>
    public int MaxGoodTrials
    {
        get => _maxGoodTrials;
        set => _maxGoodTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxGoodTrials), value, "MaxGoodTrials must be at least 1.");
    }

    /// <summary>Weight of the prior kernel (a kernel spanning each whole range, uniform over choices) against
    /// a weight of 1 for a recent observation. Default 1.</summary>
    public double PriorWeight
    {
        get => _priorWeight;
        set => _priorWeight = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(PriorWeight), value, "PriorWeight must be a positive finite number.");
    }

    /// <summary>How many of the latest observations of each density weigh 1; older ones ramp linearly down to
    /// 1/n for the oldest, as in Optuna's default weights. Default 25.</summary>
    public int FullWeightTrials
    {
        get => _fullWeightTrials;
        set => _fullWeightTrials = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(FullWeightTrials), value, "FullWeightTrials must be at least 1.");
    }

    /// <summary>Model the parameters of a group jointly with product kernels rather than each on its own;
    /// the parameters active under the same condition (the top level, one conditional branch) form a group, as
    /// Optuna's <c>group</c> option does. Default true: on the benchmark functions joint kernels beat Optuna's
    /// default independent sampling clearly (see the notes of the TPE benchmark); false gives Optuna's default.</summary>
    public bool Multivariate { get; set; } = true;

    /// <summary>How wide the good density's kernels are when <see cref="Multivariate"/> is on. Default
    /// <see cref="TpeBandwidth.Neighbours"/>: the few good trials get kernels as narrow as their spacing allows
    /// (down to the magic clip), so candidates stay close to them.</summary>
    public TpeBandwidth GoodBandwidth { get; set; } = TpeBandwidth.Neighbours;

    /// <summary>How wide the bad density's kernels are when <see cref="Multivariate"/> is on. Default
    /// <see cref="TpeBandwidth.Scott"/>: the many bad trials are a d-dimensional sample, for which per-dimension
    /// neighbour gaps would give a spiky density that rewards any hole between bad points. Both set to
    /// <see cref="TpeBandwidth.Scott"/> give Optuna's multivariate TPE.</summary>
    public TpeBandwidth BadBandwidth { get; set; } = TpeBandwidth.Scott;

    /// <summary>Spread the startup trials as a Latin hypercube (each range cut into <see cref="StartupTrials"/>
    /// strata, each stratum drawn once, in a seeded order) instead of drawing them independently, so the first
    /// model sees the whole space. Default true (Optuna draws at random).</summary>
    public bool LatinHypercubeStartup { get; set; } = true;

    /// <summary>Keep every kernel at least as wide as the range over the number of kernels (at most 100), so a
    /// cluster of close observations cannot collapse the density. Default true.</summary>
    public bool ConsiderMagicClip { get; set; } = true;

    /// <summary>Let the outermost kernels of a range widen up to the range's bounds. Default false.</summary>
    public bool ConsiderEndpoints { get; set; }

    /// <summary>Count trials still running as bad observations, so parallel proposals spread out instead of
    /// piling onto one point. It only acts when proposals are made while other trials run, so it is on by
    /// default (unlike Optuna, whose default is off). Default true.</summary>
    public bool ConstantLiar { get; set; } = true;

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal TpeTunerOptions Clone() => (TpeTunerOptions)MemberwiseClone();
}

/// <summary>The rule that sets a numeric kernel's width (before the magic clip).</summary>
public enum TpeBandwidth
{
    /// <summary>Optuna's multivariate rule: every kernel 0.2·n^(−1/(d+4)) of the range, for n observations in d dimensions.</summary>
    Scott,

    /// <summary>Optuna's univariate rule, applied per dimension: each kernel as wide as the larger gap to its
    /// neighbouring observations (with the prior's centre and the bounds).</summary>
    Neighbours,
}
