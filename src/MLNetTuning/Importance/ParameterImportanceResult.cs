namespace MLNetTuning.Importance;

/// <summary>The share of the objective's variance one parameter explains on its own (its main effect).</summary>
/// <param name="Name">The parameter's path: <c>trainer</c>, <c>trainer.FastTree.leaves</c> for a branch's member.</param>
/// <param name="Importance">The variance of the forest's marginal prediction for this parameter, as a share of the sum
/// over the parameters (so the importances sum to 1, as Optuna reports them); in [0, 1].</param>
/// <param name="StandardDeviation">Standard deviation over the trees of each tree's share of its own variance, rescaled
/// by <see cref="ParameterImportanceResult.MainEffectsShare"/>: how much the trees disagree.</param>
/// <param name="ActiveTrials">Completed trials in which the parameter was active (its branch chosen).</param>
public sealed record ParameterImportance(string Name, double Importance, double StandardDeviation, int ActiveTrials);

/// <summary>The share of the variance a pair of parameters explains jointly beyond their main effects.</summary>
/// <param name="First">The first parameter's path.</param>
/// <param name="Second">The second parameter's path.</param>
/// <param name="Importance">Share of the total variance, averaged over the trees (not rescaled: pairs and
/// <see cref="ParameterImportanceResult.MainEffectsShare"/> add up to at most 1).</param>
public sealed record PairImportance(string First, string Second, double Importance);

/// <summary>What <see cref="FanovaImportance"/> found: parameters by decreasing importance, and pairs when asked for.</summary>
public sealed class ParameterImportanceResult
{
    internal ParameterImportanceResult(IReadOnlyList<ParameterImportance> parameters, IReadOnlyList<PairImportance> pairs, double mainEffectsShare, int trialCount, int skippedTrials, int constantTrees)
    {
        Parameters = parameters;
        Pairs = pairs;
        MainEffectsShare = mainEffectsShare;
        TrialCount = trialCount;
        SkippedTrials = skippedTrials;
        ConstantTrees = constantTrees;
    }

    /// <summary>Every searched parameter, most important first.</summary>
    public IReadOnlyList<ParameterImportance> Parameters { get; }

    /// <summary>Pairs, most important first; empty unless <see cref="ParameterImportanceOptions.IncludePairs"/>.</summary>
    public IReadOnlyList<PairImportance> Pairs { get; }

    /// <summary>The fraction of the objective's variance the main effects explain together (averaged over the trees):
    /// near 1 for an additive objective, lower when parameters interact. <see cref="Parameters"/> share this part.</summary>
    public double MainEffectsShare { get; }

    /// <summary>Completed trials the forest was fitted on.</summary>
    public int TrialCount { get; }

    /// <summary>Completed trials left out by <see cref="ParameterImportanceOptions.MaxTrials"/>.</summary>
    public int SkippedTrials { get; }

    /// <summary>Trees whose prediction was constant (no variance to share); they do not count in the averages.
    /// When every tree is constant, every importance is 0: no parameter changed the value.</summary>
    public int ConstantTrees { get; }

    /// <summary>The importance of a parameter by path.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that path.</exception>
    public double this[string name] => Parameters.FirstOrDefault(p => p.Name == name)?.Importance
        ?? throw new KeyNotFoundException($"No parameter '{name}'. Known: {string.Join(", ", Parameters.Select(p => p.Name))}.");
}
