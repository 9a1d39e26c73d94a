using System.Runtime.Intrinsics;

namespace MLNetTuning.Tuners;

/// <summary>
/// A Parzen estimator over one group of leaves: a weighted mixture of product kernels, one kernel per
/// observation plus one broad prior kernel. Numeric leaves get truncated normal kernels in their
/// (log-)transformed domain (binned for integers), choices get the categorical kernel.
/// </summary>
internal sealed partial class ParzenEstimator
{
    // Terms more than this far below the largest one add less than 1e-17 of it: skipping their exp is exact enough.
    private const double NegligibleLogRatio = -40;

    private readonly double[] _logWeights;
    private readonly double[] _cumulativeWeights;
    private readonly KernelDimension[] _dimensions;

    /// <summary>Fits the estimator.</summary>
    /// <param name="leaves">The group's leaves.</param>
    /// <param name="columns">Observed internal values, one column per leaf, observations in trial order (oldest first).
    /// NaN marks a value the observation lacks (a warm start's source trial without that parameter): its kernel is the
    /// flat prior kernel in that dimension, so it carries no information there.</param>
    /// <param name="options">Prior weight, weights and bandwidth rules.</param>
    /// <param name="ascending">Per leaf, optionally, the column's indices in ascending order of value (saves a sort).</param>
    /// <param name="bandwidth">The width rule of numeric kernels when the options are multivariate (univariate estimators use the neighbour rule).</param>
    /// <param name="priorRows">How many of the last observations are a warm start's prior (another study's trials).</param>
    /// <param name="priorRowWeight">The kernel weight of each prior observation (the study's own weigh up to 1).</param>
    public ParzenEstimator(TpeLeaf[] leaves, double[][] columns, TpeTunerOptions options, int[]?[]? ascending = null, TpeBandwidth bandwidth = TpeBandwidth.Neighbours, int priorRows = 0, double priorRowWeight = 0)
    {
        var observed = columns.Length == 0 ? 0 : columns[0].Length;
        var weights = new double[observed + 1];
        FillObservationWeights(weights.AsSpan(0, observed - priorRows), options.FullWeightTrials);
        weights.AsSpan(observed - priorRows, priorRows).Fill(priorRowWeight);
        weights[observed] = observed == 0 ? 1.0 : options.PriorWeight;
        var sum = weights.Sum();
        _logWeights = new double[weights.Length];
        _cumulativeWeights = new double[weights.Length];
        var running = 0.0;
        for (var j = 0; j < weights.Length; j++)
        {
            _logWeights[j] = Math.Log(weights[j] / sum);
            running += weights[j] / sum;
            _cumulativeWeights[j] = running;
        }

        _dimensions = new KernelDimension[leaves.Length];
        for (var d = 0; d < leaves.Length; d++)
        {
            _dimensions[d] = leaves[d].Kind == TpeLeafKind.Categorical
                ? new CategoricalDimension(leaves[d], columns[d], options.PriorWeight)
                : new NumericDimension(leaves[d], columns[d], options, leaves.Length, ascending?[d], bandwidth);
        }
    }

    public int KernelCount => _logWeights.Length;

    /// <summary>Optuna's default weights: the latest <paramref name="fullWeight"/> observations weigh 1, older
    /// ones ramp linearly from 1/n up, so a long history slowly forgets its start.</summary>
    public static void FillObservationWeights(Span<double> weights, int fullWeight)
    {
        var n = weights.Length;
        if (n < fullWeight)
        {
            weights.Fill(1.0);
            return;
        }

        var ramp = n - fullWeight;
        for (var i = 0; i < ramp; i++)
        {
            weights[i] = ramp == 1 ? 1.0 / n : (1.0 / n) + ((1.0 - (1.0 / n)) * i / (ramp - 1));
        }

        weights[ramp..].Fill(1.0);
    }

    /// <summary>Draws a point: a kernel by weight, then each leaf from that kernel.</summary>
    public void Sample(Random random, Span<double> point) => Sample(random, point, random.NextDouble());

    /// <summary>Draws a point from the kernel that the quantile <paramref name="u"/> of the weights picks.</summary>
    public void Sample(Random random, Span<double> point, double u)
    {
        var kernel = Array.BinarySearch(_cumulativeWeights, u);
        kernel = Math.Min(kernel >= 0 ? kernel : ~kernel, _cumulativeWeights.Length - 1);
        for (var d = 0; d < _dimensions.Length; d++)
        {
            point[d] = _dimensions[d].Sample(kernel, random);
        }
    }

    /// <summary>Log density of a point (categorical leaves: log probability; integer leaves: log bin mass).</summary>
    /// <param name="point">One value per leaf.</param>
    /// <param name="scratch">A buffer of at least <see cref="KernelCount"/> values.</param>
    public double LogDensity(ReadOnlySpan<double> point, Span<double> scratch)
    {
        var perKernel = scratch[.._logWeights.Length];
        _logWeights.CopyTo(perKernel);
        for (var d = 0; d < _dimensions.Length; d++)
        {
            _dimensions[d].AddLogDensity(point[d], perKernel);
        }

        var max = double.NegativeInfinity;
        var from = 0;
        if (Vector256.IsHardwareAccelerated && perKernel.Length >= 16)
        {
            var top = Vector256.Create(double.NegativeInfinity);
            for (; from + 4 <= perKernel.Length; from += 4)
            {
                top = Vector256.Max(top, Vector256.Create(perKernel[from..]));
            }

            for (var k = 0; k < 4; k++)
            {
                max = Math.Max(max, top[k]);
            }
        }

        for (var j = from; j < perKernel.Length; j++)
        {
            if (perKernel[j] > max)
            {
                max = perKernel[j];
            }
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        var total = 0.0;
        var start = 0;
        if (Vector256.IsHardwareAccelerated && perKernel.Length >= 16)
        {
            // Many kernels (the bad density): exponentiate four at a time; terms far below the largest vanish.
            var sum = Vector256<double>.Zero;
            var top = Vector256.Create(max);
            for (; start + 4 <= perKernel.Length; start += 4)
            {
                sum += Vector256.Exp(Vector256.Create(perKernel[start..]) - top);
            }

            total = Vector256.Sum(sum);
        }

        for (var j = start; j < perKernel.Length; j++)
        {
            var delta = perKernel[j] - max;
            if (delta > NegligibleLogRatio)
            {
                total += Math.Exp(delta);
            }
        }

        return max + Math.Log(total);
    }
}
