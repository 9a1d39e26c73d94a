using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Transfer;

/// <summary>A tuner that can take an earlier study's trials as a prior (TPE: extra observations in its densities;
/// CMA-ES: its start; the GP: its prior mean; the auto tuner passes it on).</summary>
public interface IWarmStartableTuner
{
    /// <summary>Sets (or, with null, removes) the prior; the tuner reads its current weight at every proposal.</summary>
    void SetWarmStartPrior(WarmStartPrior? prior);
}

/// <summary>One source trial as a prior observation: its parameters mapped into the new space, and its old loss (lower is better).</summary>
/// <param name="Parameters">The source's values mapped into the new space. Parameters the source lacked are absent: the
/// prior then carries no information about them from this trial, while its other values still count.</param>
/// <param name="Loss">The loss the source study measured.</param>
public sealed record PriorObservation(TrialParameters Parameters, double Loss);

/// <summary>
/// An earlier study's trials as a prior for a model-based tuner. Each observation weighs
/// <c>InitialWeight · HalfLife / (HalfLife + n)</c> after <c>n</c> of the new study's own finished trials
/// (an own trial weighs 1), and 0 once <see cref="SwitchOff"/> was called (the negative-transfer guard).
/// </summary>
public sealed class WarmStartPrior
{
    private volatile bool _switchedOff;
    private double _trust = 1;

    /// <summary>Creates a prior.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is negative or the half-life not positive.</exception>
    public WarmStartPrior(IReadOnlyList<PriorObservation> observations, double initialWeight, double halfLife)
    {
        Observations = observations ?? throw new ArgumentNullException(nameof(observations));
        ArgumentOutOfRangeException.ThrowIfNegative(initialWeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(halfLife);
        InitialWeight = initialWeight;
        HalfLife = halfLife;
    }

    /// <summary>The source trials, mapped into the new space.</summary>
    public IReadOnlyList<PriorObservation> Observations { get; }

    /// <summary>The weight of one prior observation before the new study has trials of its own.</summary>
    public double InitialWeight { get; }

    /// <summary>The number of own finished trials at which the weight has halved.</summary>
    public double HalfLife { get; }

    /// <summary>Whether the guard (or the user) switched the prior off.</summary>
    public bool IsSwitchedOff => _switchedOff;

    /// <summary>How far the prior is trusted, in [0, 1]: 1 until the warm start's evidence says otherwise (see
    /// <see cref="WarmStartOptions.PriorReweighting"/>); it multiplies the weight.</summary>
    public double Trust => Volatile.Read(ref _trust);

    /// <summary>The weight of one prior observation after <paramref name="ownFinishedTrials"/> of the new study's own trials.</summary>
    public double WeightAt(int ownFinishedTrials) => _switchedOff ? 0 : Trust * InitialWeight * HalfLife / (HalfLife + Math.Max(0, ownFinishedTrials));

    /// <summary>Sets the trust (the warm start's evidence).</summary>
    internal void SetTrust(double trust) => Volatile.Write(ref _trust, Math.Clamp(trust, 0, 1));

    /// <summary>Drops the prior's weight to 0 for good: the study goes on cold.</summary>
    public void SwitchOff() => _switchedOff = true;
}
