namespace MLNetTuning.Importance;

/// <summary>Options of <see cref="FanovaImportance"/>; the defaults are Optuna's (64 fully grown trees).</summary>
public sealed class ParameterImportanceOptions
{
    /// <summary>Trees in the random forest.</summary>
    public int NumberOfTrees { get; set; } = 64;

    /// <summary>Deepest split level of a tree.</summary>
    public int MaxDepth { get; set; } = 64;

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
        if (MaxTrials is int m)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(m, 2, nameof(MaxTrials));
        }
    }
}
