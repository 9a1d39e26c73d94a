using System.Runtime.CompilerServices;

namespace MLNetTuning.Importance;

/// <summary>
/// The functional ANOVA of one tree (Hutter, Hoos and Leyton-Brown 2014) under the uniform measure on the unit
/// cube: the tree's variance, and the variance of each feature's (and pair's) marginal prediction.
/// </summary>
/// <remarks>A leaf's box spans whole intervals between a feature's split points, so a marginal is constant on
/// each interval and is the sum, over the leaves covering it, of value × volume / width (a difference array
/// over the intervals makes that linear in the leaves).</remarks>
internal sealed class TreeVarianceDecomposition
{
    private readonly RegressionTree _tree;
    private readonly double[][] _cuts;
    private readonly double[] _volumes;

    public TreeVarianceDecomposition(RegressionTree tree)
    {
        _tree = tree;
        _cuts = tree.Thresholds.Select(t => t.Append(0).Append(1).Distinct().Order().ToArray()).ToArray();
        _volumes = tree.Leaves.Select(l => l.Volume).ToArray();
        Mean = 0;
        for (var i = 0; i < _volumes.Length; i++)
        {
            Mean += _volumes[i] * tree.Leaves[i].Value;
        }

        TotalVariance = 0;
        for (var i = 0; i < _volumes.Length; i++)
        {
            var d = tree.Leaves[i].Value - Mean;
            TotalVariance += _volumes[i] * d * d;
        }

        Marginals = Enumerable.Range(0, _cuts.Length).Select(Marginal).ToArray();
        MainEffects = Enumerable.Range(0, _cuts.Length).Select(f => Variance(_cuts[f], Marginals[f], Mean)).ToArray();
    }

    public double Mean { get; }

    public double TotalVariance { get; }

    /// <summary>Variance of each feature's marginal.</summary>
    public double[] MainEffects { get; }

    /// <summary>Each feature's marginal prediction: its value on each interval between consecutive <see cref="Cuts"/>.</summary>
    public double[][] Marginals { get; }

    /// <summary>Each feature's split points, with 0 and 1, in increasing order.</summary>
    public IReadOnlyList<double[]> Cuts => _cuts;

    /// <summary>Variance under the uniform measure of a step function taking <paramref name="values"/> between <paramref name="cuts"/>.</summary>
    public static double Variance(double[] cuts, double[] values, double mean)
    {
        var variance = 0.0;
        for (var j = 0; j < values.Length; j++)
        {
            var d = values[j] - mean;
            variance += (cuts[j + 1] - cuts[j]) * d * d;
        }

        return variance;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] Marginal(int f)
    {
        var cuts = _cuts[f];
        var k = cuts.Length - 1;
        var diff = new double[k + 1];
        for (var i = 0; i < _volumes.Length; i++)
        {
            var leaf = _tree.Leaves[i];
            var width = leaf.High[f] - leaf.Low[f];
            var c = leaf.Value * _volumes[i] / width;
            diff[Index(cuts, leaf.Low[f])] += c;
            diff[Index(cuts, leaf.High[f])] -= c;
        }

        var marginal = new double[k];
        var running = 0.0;
        for (var j = 0; j < k; j++)
        {
            running += diff[j];
            marginal[j] = running;
        }

        return marginal;
    }

    /// <summary>Variance of the pair's joint marginal less both main effects: their interaction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double PairEffect(int f, int g)
    {
        var cf = _cuts[f];
        var cg = _cuts[g];
        int kf = cf.Length - 1, kg = cg.Length - 1;
        if (kf == 1 || kg == 1)
        {
            return 0;
        }

        var diff = new double[kf + 1, kg + 1];
        for (var i = 0; i < _volumes.Length; i++)
        {
            var leaf = _tree.Leaves[i];
            var c = leaf.Value * _volumes[i] / ((leaf.High[f] - leaf.Low[f]) * (leaf.High[g] - leaf.Low[g]));
            int a0 = Index(cf, leaf.Low[f]), a1 = Index(cf, leaf.High[f]);
            int b0 = Index(cg, leaf.Low[g]), b1 = Index(cg, leaf.High[g]);
            diff[a0, b0] += c;
            diff[a1, b0] -= c;
            diff[a0, b1] -= c;
            diff[a1, b1] += c;
        }

        // Two-dimensional prefix sums turn the difference array into the marginal on each cell.
        for (var a = 0; a <= kf; a++)
        {
            for (var b = 1; b <= kg; b++)
            {
                diff[a, b] += diff[a, b - 1];
            }
        }

        for (var a = 1; a <= kf; a++)
        {
            for (var b = 0; b <= kg; b++)
            {
                diff[a, b] += diff[a - 1, b];
            }
        }

        var variance = 0.0;
        for (var a = 0; a < kf; a++)
        {
            for (var b = 0; b < kg; b++)
            {
                var d = diff[a, b] - Mean;
                variance += (cf[a + 1] - cf[a]) * (cg[b + 1] - cg[b]) * d * d;
            }
        }

        return Math.Max(0, variance - MainEffects[f] - MainEffects[g]);
    }

    private static int Index(double[] cuts, double x)
    {
        var i = Array.BinarySearch(cuts, x);
        return i >= 0 ? i : throw new InvalidOperationException($"A leaf bound {x} is not a split point of the tree.");
    }
}
