using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Importance;

/// <summary>
/// Parameter importance by functional ANOVA (Hutter, Hoos and Leyton-Brown 2014; Optuna's default evaluator):
/// a random forest is fitted to the completed trials in the unit-cube encoding; a parameter's main effect is the
/// variance over the cube of the forest's marginal prediction, and each tree's variance is also split per parameter
/// and, on request, per pair. Parameter importances are the main effects' shares, rescaled to sum to 1 as Optuna's
/// evaluator does;
/// <see cref="ParameterImportanceResult.MainEffectsShare"/> keeps the fraction of the variance they explain.
/// </summary>
/// <remarks>
/// <para>Numbers enter as their unit coordinate (log scale included), a choice of n values as (index + ½)/n,
/// so every value gets the same share of the cube. Nested spaces and branch members are named by path
/// (<c>trainer.FastTree.leaves</c>).</para>
/// <para>Conditional parameters: a member of a branch the trial did not take gets a uniform random coordinate.
/// The objective does not depend on it there, so the forest learns no effect from those trials; its importance
/// is what it explains where its branch was chosen, weighted by how much of the cube that branch holds.</para>
/// </remarks>
public static class FanovaImportance
{
    /// <summary>Scores every searched parameter of <paramref name="space"/> on the completed trials.</summary>
    /// <param name="space">The study's space.</param>
    /// <param name="trials">The study's trials; only completed ones with a finite value are used.</param>
    /// <param name="options">Forest options; Optuna's defaults when null.</param>
    /// <param name="cancellationToken">Stops between trees.</param>
    /// <exception cref="ArgumentException">The space has fewer than two searched parameters, or fewer than two
    /// trials completed.</exception>
    public static ParameterImportanceResult Evaluate(HyperparameterSpace space, IEnumerable<TuningTrial> trials, ParameterImportanceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        options ??= new ParameterImportanceOptions();
        options.Validate();
        var layout = new TpeLayout(space);
        if (layout.Leaves.Length < 2)
        {
            var only = layout.Leaves.Length == 1 ? $"one: '{layout.Leaves[0].Path}'" : "none";
            throw new ArgumentException($"Parameter importance needs at least two searched parameters; the space has {only}. With a single parameter it explains all the variance it can.", nameof(space));
        }

        var completed = trials.Where(t => t.State == TrialState.Completed && t.Value is double v && double.IsFinite(v)).OrderBy(t => t.Id).ToList();
        if (completed.Count < 2)
        {
            throw new ArgumentException($"Parameter importance needs at least two completed trials; the study has {completed.Count}.", nameof(trials));
        }

        var skipped = 0;
        if (options.MaxTrials is int max && completed.Count > max)
        {
            skipped = completed.Count - max;
            completed = completed.Skip(skipped).ToList();
        }

        var random = new Random(options.Seed);
        var x = new double[completed.Count][];
        var y = new double[completed.Count];
        var active = new int[layout.Leaves.Length];
        for (var i = 0; i < completed.Count; i++)
        {
            x[i] = Features(layout, completed[i].Parameters, random, active);
            y[i] = completed[i].Value!.Value;
        }

        var d = layout.Leaves.Length;
        var forestMarginals = Enumerable.Range(0, d).Select(_ => new ForestMarginal()).ToArray();
        var forestMean = 0.0;
        var shares = Enumerable.Range(0, d).Select(_ => new List<double>()).ToArray();
        var pairShares = new double[d, d];
        var constantTrees = 0;
        var sample = new int[completed.Count];
        for (var t = 0; t < options.NumberOfTrees; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < sample.Length; i++)
            {
                sample[i] = random.Next(sample.Length);
            }

            var tree = new TreeVarianceDecomposition(RegressionTree.Fit(x, y, sample, options, random));
            forestMean += tree.Mean / options.NumberOfTrees;
            for (var f = 0; f < d; f++)
            {
                forestMarginals[f].Add(tree.Cuts[f], tree.Marginals[f], options.NumberOfTrees);
            }

            if (tree.TotalVariance <= 1e-300)
            {
                constantTrees++;
                continue;
            }

            for (var f = 0; f < d; f++)
            {
                shares[f].Add(tree.MainEffects[f] / tree.TotalVariance);
                if (options.IncludePairs)
                {
                    for (var g = f + 1; g < d; g++)
                    {
                        pairShares[f, g] += tree.PairEffect(f, g) / tree.TotalVariance;
                    }
                }
            }
        }

        var fitted = options.NumberOfTrees - constantTrees;

        // A parameter's importance is the variance of the forest's marginal (the mean of the trees' marginals) over the
        // sum of the parameters' such variances, not Hutter et al.'s mean over the trees of each tree's share. Per-tree
        // shares carry two biases: a tree resolves coarsely the parameters it seldom splits on (with every parameter
        // tried at each split, the weaker ones), which smooths their marginals and moves their variance into spurious
        // interactions; and each tree's own error adds variance to every marginal. The random feature subsets make each
        // tree split on every parameter in places, and averaging the marginals before squaring cancels the errors the
        // trees do not share. As Optuna does, the main effects are rescaled to sum to 1. MainEffectsShare and the
        // standard deviations stay per tree: how much one tree's main effects explain, and how much the trees disagree.
        var forestEffects = forestMarginals.Select(m => m.Variance(forestMean)).ToArray();
        var forestSum = forestEffects.Sum();
        var mainEffectsShare = fitted == 0 ? 0 : shares.Sum(s => s.Average());
        var scale = mainEffectsShare > 1e-12 ? 1 / mainEffectsShare : 0;
        var parameters = Enumerable.Range(0, d)
            .Select(f => new ParameterImportance(layout.Leaves[f].Path, fitted == 0 || forestSum <= 1e-300 ? 0 : forestEffects[f] / forestSum, StandardDeviation(shares[f]) * scale, active[f]))
            .OrderByDescending(p => p.Importance).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        var pairs = new List<PairImportance>();
        if (options.IncludePairs)
        {
            for (var f = 0; f < d; f++)
            {
                for (var g = f + 1; g < d; g++)
                {
                    pairs.Add(new PairImportance(layout.Leaves[f].Path, layout.Leaves[g].Path, fitted == 0 ? 0 : pairShares[f, g] / fitted));
                }
            }
        }

        return new ParameterImportanceResult(parameters, pairs.OrderByDescending(p => p.Importance).ToList(), mainEffectsShare, completed.Count, skipped, constantTrees);
    }

    private static double[] Features(TpeLayout layout, TrialParameters parameters, Random random, int[] activeCounts)
    {
        var units = layout.Space.EncodeParameters(parameters);
        var leafValues = layout.Encode(parameters);
        var features = new double[layout.Leaves.Length];
        for (var f = 0; f < features.Length; f++)
        {
            var leaf = layout.Leaves[f];
            if (double.IsNaN(leafValues[f]))
            {
                features[f] = random.NextDouble();
                continue;
            }

            activeCounts[f]++;
            features[f] = leaf.Kind == TpeLeafKind.Categorical
                ? (leafValues[f] + 0.5) / leaf.Categories
                : Math.Clamp(units[leaf.Coordinate], 0, 1);
        }

        return features;
    }

    /// <summary>The mean of the trees' marginals of one parameter: a step function on the union of their split points,
    /// kept as its value at 0 and its jumps.</summary>
    private sealed class ForestMarginal
    {
        private readonly List<(double At, double Step)> _jumps = [];
        private double _start;

        public void Add(double[] cuts, double[] values, int trees)
        {
            _start += values[0] / trees;
            for (var j = 1; j < values.Length; j++)
            {
                _jumps.Add((cuts[j], (values[j] - values[j - 1]) / trees));
            }
        }

        public double Variance(double mean)
        {
            _jumps.Sort((a, b) => a.At.CompareTo(b.At));
            var variance = 0.0;
            var level = _start;
            var from = 0.0;
            foreach (var (at, step) in _jumps)
            {
                variance += (at - from) * (level - mean) * (level - mean);
                level += step;
                from = at;
            }

            return variance + ((1 - from) * (level - mean) * (level - mean));
        }
    }

    private static double StandardDeviation(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
