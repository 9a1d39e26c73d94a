namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="GaussianProcessTuner"/>; every setter rejects values the algorithm cannot use.</summary>
public sealed class GaussianProcessTunerOptions
{
    private int? _startupTrials;
    private int _maxModelTrials = 200;
    private TimeSpan? _timeBudget;

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>Trials spread as a Latin hypercube before the model is used. Default null: the number of
    /// searched values plus one, between 4 and 10.</summary>
    public int? StartupTrials
    {
        get => _startupTrials;
        set => _startupTrials = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(StartupTrials), value, "StartupTrials must be at least 1 (or null for the default).");
    }

    /// <summary>The most trials the GP is fitted on. Fitting costs grow with the cube of the trials, so past this
    /// many the GP fits on a subset: the best half of this number by loss, and the most recent trials for the
    /// rest. Proposals made so carry the attribute <c>gp.subset</c>. Default 200 (about 50 ms a proposal in 10-D).</summary>
    public int MaxModelTrials
    {
        get => _maxModelTrials;
        set => _maxModelTrials = value >= 10 ? value : throw new ArgumentOutOfRangeException(nameof(MaxModelTrials), value, "MaxModelTrials must be at least 10.");
    }

    /// <summary>Count trials still running as observed at the worst loss seen so far (a constant liar), so
    /// parallel proposals spread out instead of piling onto one point. Default true.</summary>
    public bool ConstantLiar { get; set; } = true;

    /// <summary>Weigh expected improvement by the seconds a trial is predicted to cost (EI per second, with cost
    /// cooling) when trial durations differ widely; see docs/tuners-auto-gp.md for the rule. Uniform costs leave
    /// proposals unchanged. Proposals made so carry the attribute <c>gp.cost</c>. Default true.</summary>
    public bool CostAware { get; set; } = true;

    /// <summary>The study's time budget, when it has one: cost-awareness then fades as the budget is spent, so
    /// the last trials go to the best configurations whatever they cost. Default null (no budget: it fades with
    /// the number of trials).</summary>
    public TimeSpan? TimeBudget
    {
        get => _timeBudget;
        set => _timeBudget = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(TimeBudget), value, "TimeBudget must be positive (or null when the study has none).");
    }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal GaussianProcessTunerOptions Clone() => (GaussianProcessTunerOptions)MemberwiseClone();
}
