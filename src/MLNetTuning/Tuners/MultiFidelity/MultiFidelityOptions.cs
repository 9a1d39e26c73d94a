namespace MLNetTuning.Tuners;

/// <summary>
/// Settings every multi-fidelity scheduler shares: the budget range, in abstract units (epochs, trees, a share
/// of the data: whatever the objective makes of it), and the reduction factor η.
/// </summary>
public abstract class MultiFidelityOptions
{
    private double _minBudget = 1;
    private double _maxBudget = 81;
    private double _reductionFactor = 3;

    /// <summary>The smallest budget a trial gets. Positive. Default 1.</summary>
    public double MinBudget
    {
        get => _minBudget;
        set => _minBudget = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinBudget), value, "MinBudget must be a positive finite number.");
    }

    /// <summary>The full budget; at least <see cref="MinBudget"/>. Default 81.</summary>
    public double MaxBudget
    {
        get => _maxBudget;
        set => _maxBudget = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBudget), value, "MaxBudget must be a positive finite number.");
    }

    /// <summary>η: each rung keeps the best 1/η of its trials and gives them η times the budget. Greater than 1. Default 3.</summary>
    public double ReductionFactor
    {
        get => _reductionFactor;
        set => _reductionFactor = double.IsFinite(value) && value > 1 ? value : throw new ArgumentOutOfRangeException(nameof(ReductionFactor), value, "ReductionFactor (η) must be a finite number greater than 1.");
    }

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>Checks the settings together (each property checks itself when set).</summary>
    /// <exception cref="ArgumentException">MaxBudget is below MinBudget.</exception>
    internal void ValidateRange()
    {
        if (MaxBudget < MinBudget)
        {
            throw new ArgumentException($"MaxBudget ({MaxBudget}) is below MinBudget ({MinBudget}); the budget range must be [MinBudget, MaxBudget] with MinBudget <= MaxBudget.", nameof(MaxBudget));
        }
    }

    /// <summary>A copy of the same type, so a factory is not affected by later changes to the options it was given.</summary>
    internal T Clone<T>()
        where T : MultiFidelityOptions => (T)MemberwiseClone();
}
