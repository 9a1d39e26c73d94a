namespace MLNetTuning.Tuners;

/// <summary>What <see cref="AutoTuner"/> knows about the run besides the space; every property is optional, and
/// each one given can only sharpen the choice (see docs/tuners-auto-gp.md for the rules).</summary>
public sealed class AutoTunerOptions
{
    private int? _maxTrials;
    private int _parallelism = 1;
    private double? _secondsPerTrial;
    private TimeSpan? _timeBudget;

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>How many trials the run will have, when known. Default null (unknown, open-ended).</summary>
    public int? MaxTrials
    {
        get => _maxTrials;
        set => _maxTrials = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTrials), value, "MaxTrials must be at least 1 (or null when unknown).");
    }

    /// <summary>How many trials run at once. Default 1.</summary>
    public int Parallelism
    {
        get => _parallelism;
        set => _parallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Parallelism), value, "Parallelism must be at least 1.");
    }

    /// <summary>About how many seconds a trial takes, when known. Default null (unknown).</summary>
    public double? SecondsPerTrial
    {
        get => _secondsPerTrial;
        set => _secondsPerTrial = value is null || (double.IsFinite(value.Value) && value > 0) ? value : throw new ArgumentOutOfRangeException(nameof(SecondsPerTrial), value, "SecondsPerTrial must be a positive finite number (or null when unknown).");
    }

    /// <summary>The study's time budget, when it has one; the GP's cost-awareness fades as it is spent (see
    /// <see cref="GaussianProcessTunerOptions.TimeBudget"/>). Default null.</summary>
    public TimeSpan? TimeBudget
    {
        get => _timeBudget;
        set => _timeBudget = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(TimeBudget), value, "TimeBudget must be positive (or null when the study has none).");
    }

    /// <summary>Whether the trainers have a budget unit the tuner may set (epochs, trees, rows), so that a
    /// multi-fidelity scheduler can stop poor trials early. Default false.</summary>
    public bool BudgetedTrainers { get; set; }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal AutoTunerOptions Clone() => (AutoTunerOptions)MemberwiseClone();
}

/// <summary>The tuner <see cref="AutoTuner"/> picks, and why.</summary>
/// <param name="Tuner">The tuner that starts: "gp", "tpe", "cmaes", "asha" or "random".</param>
/// <param name="Reason">The rule that decided, in words.</param>
/// <param name="Then">The tuner handed over to, or null.</param>
/// <param name="HandOverAfter">After how many trials the hand-over happens, or null.</param>
public sealed record AutoTunerChoice(string Tuner, string Reason, string? Then = null, int? HandOverAfter = null)
{
    /// <inheritdoc/>
    public override string ToString() => Then is null ? $"{Tuner}: {Reason}" : $"{Tuner}, then {Then} after {HandOverAfter} trials: {Reason}";
}
