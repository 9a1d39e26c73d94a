using System.Runtime.Intrinsics;

namespace MLNetTuning.Tuners;

/// <summary>
/// A Parzen estimator over one group of leaves: a weighted mixture of product kernels, one kernel per
/// observation plus one broad prior kernel. Numeric leaves get truncated normal kernels in their
/// (log-)transformed domain (binned for integers), choices get the categorical kernel.
/// </summary>
internal sealed class ParzenEstimator
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

    private abstract class KernelDimension
    {
        public abstract double Sample(int kernel, Random random);

        public abstract void AddLogDensity(double x, Span<double> perKernel);
    }

    private sealed class NumericDimension : KernelDimension
    {
        private readonly TpeLeaf _leaf;
        private readonly double[] _mus;
        private readonly double[] _sigmas;
        private readonly double[] _inverseSigmas;
        private readonly double[] _logNormalisers;

        public NumericDimension(TpeLeaf leaf, double[] observations, TpeTunerOptions options, int groupSize, int[]? ascending, TpeBandwidth bandwidth)
        {
            _leaf = leaf;
            var low = leaf.Low;
            var high = leaf.High;
            var width = high - low;
            var m = observations.Length;
            _mus = new double[m + 1];
            _sigmas = new double[m + 1];
            observations.CopyTo(_mus, 0);

            // Widths come from the observations that have a value; one that lacks it (NaN) gets the prior kernel.
            var known = m;
            foreach (var x in observations)
            {
                known -= double.IsNaN(x) ? 1 : 0;
            }

            var present = known == m ? null : Enumerable.Range(0, m).Where(j => !double.IsNaN(observations[j])).ToArray();
            var values = present is null ? observations : present.Select(j => observations[j]).ToArray();
            var widths = present is null ? _sigmas : new double[known + 1];
            if (options.Multivariate && bandwidth == TpeBandwidth.Scott)
            {
                // Scott-like rule for a product kernel in groupSize dimensions.
                widths.AsSpan(0, known).Fill(0.2 * Math.Pow(Math.Max(known, 1), -1.0 / (groupSize + 4)) * width);
            }
            else
            {
                NeighbourSigmas(values, present is null ? ascending : null, low, high, options.ConsiderEndpoints, widths);
            }

            // The magic clip: no kernel narrower than the width over the kernel count (at most 100 of them).
            var minSigma = options.ConsiderMagicClip ? width / Math.Min(100.0, known + 2.0) : 1e-12;
            if (present is not null)
            {
                Array.Fill(_mus, 0.5 * (low + high));
                Array.Fill(_sigmas, width);
                for (var k = 0; k < known; k++)
                {
                    _mus[present[k]] = values[k];
                    _sigmas[present[k]] = widths[k];
                }
            }

            for (var j = 0; j < m; j++)
            {
                _sigmas[j] = Math.Clamp(_sigmas[j], minSigma, width);
            }

            _mus[m] = 0.5 * (low + high);
            _sigmas[m] = width;
            var logMinSigma = Math.Log(minSigma);
            _inverseSigmas = new double[m + 1];
            _logNormalisers = new double[m + 1];
            var first = 0;
            if (Vector256.IsHardwareAccelerated && leaf.Kind != TpeLeafKind.Integer)
            {
                // The same normalisers four kernels at a time (the bad density has many).
                var lows = Vector256.Create(low);
                var highs = Vector256.Create(high);
                var one = Vector256<double>.One;
                var offset = Vector256.Create(TruncatedNormal.LogSqrtTwoPi);
                var farBelow = Vector256.Create(-8.5);
                var farAbove = Vector256.Create(8.5);
                for (; first + 4 <= m + 1; first += 4)
                {
                    var mu = Vector256.Create(_mus, first);
                    var sigma = Vector256.Create(_sigmas, first);
                    var inverse = one / sigma;
                    var a = (lows - mu) * inverse;
                    var b = (highs - mu) * inverse;
                    var logInside = Vector256.LessThanAll(a, farBelow) && Vector256.GreaterThanAll(b, farAbove)
                        ? Vector256<double>.Zero
                        : Vector256.Log(TruncatedNormal.Mass(a, b));
                    inverse.CopyTo(_inverseSigmas, first);
                    (-logInside - Vector256.Log(sigma) - offset).CopyTo(_logNormalisers, first);
                }
            }

            for (var j = first; j <= m; j++)
            {
                _inverseSigmas[j] = 1.0 / _sigmas[j];
                var a = (low - _mus[j]) * _inverseSigmas[j];
                var b = (high - _mus[j]) * _inverseSigmas[j];

                // Beyond 8.5 sigmas on both sides the lost mass is below 1e-17: skip the two erfc calls.
                var logInside = a < -8.5 && b > 8.5 ? 0.0 : Math.Log(TruncatedNormal.Mass(a, b));
                var logSigma = _sigmas[j] == minSigma ? logMinSigma : Math.Log(_sigmas[j]);
                _logNormalisers[j] = -logInside - (leaf.Kind == TpeLeafKind.Integer ? 0 : logSigma + TruncatedNormal.LogSqrtTwoPi);
            }
        }

        public override double Sample(int kernel, Random random)
        {
            var x = TruncatedNormal.Sample(random, _mus[kernel], _sigmas[kernel], _leaf.Low, _leaf.High);
            return _leaf.Kind == TpeLeafKind.Integer ? _leaf.Discretise(x) : x;
        }

        public override void AddLogDensity(double x, Span<double> perKernel)
        {
            if (_leaf.Kind == TpeLeafKind.Integer)
            {
                var (a, b) = _leaf.BinOf(x);
                for (var j = 0; j < perKernel.Length; j++)
                {
                    var mass = TruncatedNormal.Mass((a - _mus[j]) * _inverseSigmas[j], (b - _mus[j]) * _inverseSigmas[j]);
                    perKernel[j] += Math.Log(mass) + _logNormalisers[j];
                }

                return;
            }

            var mus = _mus;
            var inverse = _inverseSigmas;
            var norm = _logNormalisers;
            var start = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                // The same operations, in the same order, on four kernels at a time: identical results.
                var xs = Vector256.Create(x);
                var half = Vector256.Create(0.5);
                for (; start + 4 <= perKernel.Length; start += 4)
                {
                    var z = (xs - Vector256.Create(mus, start)) * Vector256.Create(inverse, start);
                    var sum = Vector256.Create(perKernel[start..]) + (Vector256.Create(norm, start) - (half * z * z));
                    sum.CopyTo(perKernel[start..]);
                }
            }

            for (var j = start; j < perKernel.Length; j++)
            {
                var z = (x - mus[j]) * inverse[j];
                perKernel[j] += norm[j] - (0.5 * z * z);
            }
        }

        /// <summary>Each kernel as wide as the larger gap to its neighbours among the observations, the prior's
        /// centre and the bounds; without endpoints, the outermost kernels look inward only.</summary>
        private static void NeighbourSigmas(double[] observations, int[]? ascending, double low, double high, bool considerEndpoints, double[] sigmas)
        {
            var m = observations.Length;
            if (ascending is null)
            {
                var keys = (double[])observations.Clone();
                ascending = new int[m];
                for (var i = 0; i < m; i++)
                {
                    ascending[i] = i;
                }

                Array.Sort(keys, ascending);
            }

            // The sorted observations with the prior's centre slotted in (index -1 marks it), between the bounds.
            var centre = 0.5 * (low + high);
            var withEnds = new double[m + 3];
            var owner = new int[m + 1];
            withEnds[0] = low;
            var k = 1;
            var centrePlaced = false;
            foreach (var index in ascending)
            {
                if (!centrePlaced && observations[index] >= centre)
                {
                    owner[k - 1] = -1;
                    withEnds[k++] = centre;
                    centrePlaced = true;
                }

                owner[k - 1] = index;
                withEnds[k++] = observations[index];
            }

            if (!centrePlaced)
            {
                owner[k - 1] = -1;
                withEnds[k++] = centre;
            }

            withEnds[^1] = high;
            for (var i = 0; i <= m; i++)
            {
                var width = Math.Max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
                if (!considerEndpoints && i == 0)
                {
                    width = withEnds[2] - withEnds[1];
                }
                else if (!considerEndpoints && i == m)
                {
                    width = withEnds[m + 1] - withEnds[m];
                }

                if (owner[i] >= 0)
                {
                    sigmas[owner[i]] = width;
                }
            }
        }
    }

    private sealed class CategoricalDimension : KernelDimension
    {
        private readonly int _categories;
        private readonly int[] _observed;
        private readonly double _hit;
        private readonly double _logHit;
        private readonly double _logMiss;
        private readonly double _logUniform;

        public CategoricalDimension(TpeLeaf leaf, double[] observations, double priorWeight)
        {
            _categories = leaf.Categories;
            // -1: the observation lacks the value, so its kernel is the uniform prior.
            _observed = observations.Select(v => double.IsNaN(v) ? -1 : (int)v).ToArray();
            // Each observation's kernel: its own category gets 1 + the prior's share, every category the prior's share.
            var share = priorWeight / (observations.Length + 1);
            var total = (share * _categories) + 1.0;
            _hit = (share + 1.0) / total;
            _logHit = Math.Log(_hit);
            _logMiss = Math.Log(share / total);
            _logUniform = -Math.Log(_categories);
        }

        public override double Sample(int kernel, Random random)
        {
            if (kernel == _observed.Length || _observed[kernel] < 0)
            {
                return random.Next(_categories);
            }

            if (random.NextDouble() < _hit)
            {
                return _observed[kernel];
            }

            // Any other category, uniformly.
            var other = random.Next(_categories - 1);
            return other >= _observed[kernel] ? other + 1 : other;
        }

        public override void AddLogDensity(double x, Span<double> perKernel)
        {
            var c = (int)x;
            for (var j = 0; j < _observed.Length; j++)
            {
                perKernel[j] += _observed[j] < 0 ? _logUniform : _observed[j] == c ? _logHit : _logMiss;
            }

            perKernel[_observed.Length] += _logUniform;
        }
    }
}
