namespace MLNetTuning.Importance;

/// <summary>Options of <see cref="FanovaImportance"/>: 64 fully grown trees on bootstrap samples (Optuna's defaults), each
/// split choosing among 5/6 of the parameters (SMAC's forest); <see cref="FeatureFraction"/> = 1 gives Optuna's forest.</summary>
public sealed class ParameterImportanceOptions
{
    /// <summary>Trees in the random forest.</summary>
    public int NumberOfTrees { get; set; } = 64;

    /// <summary>Deepest split level of a tree.</summary>
    public int MaxDepth { get; set; } = 64;

    /// <summary>Fraction of the parameters each split chooses among, drawn at random per node (at least one; more are
    /// drawn when none of those can split). Below 1 the trees differ in which parameters they resolve finely, so the
    /// forest's marginals resolve the weaker parameters too. 5/6 is SMAC's forest; 1 tries every parameter, as Optuna.</summary>
    public double FeatureFraction { get; set; } = 5.0 / 6;

    /// <summary>A node with fewer trials is not split.</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Fewest trials a leaf may hold.</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Also decompose the variance of every pair of parameters (their interaction, beyond both main effects).</summary>
    public bool IncludePairs { get; set; }

    /// <summary>Fit on at most this many completed trials (the latest ones), to bound the time on big studies; null for all.</summary>
    public int? MaxTrials { get; set; }

    /// <summary>Seed of the bootstrap samples and of the values drawn for inactive conditional parameters.</summary>
    public int Seed { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(NumberOfTrees, 1, nameof(NumberOfTrees));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinSamplesSplit, 2, nameof(MinSamplesSplit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinSamplesLeaf, 1, nameof(MinSamplesLeaf));
        if (!(FeatureFraction > 0 && FeatureFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FeatureFraction), FeatureFraction, "FeatureFraction must be in (0, 1]: the fraction of the parameters each split chooses among.");
        }
        if (MaxTrials is int m)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(m, 2, nameof(MaxTrials));
        }
    }
}
