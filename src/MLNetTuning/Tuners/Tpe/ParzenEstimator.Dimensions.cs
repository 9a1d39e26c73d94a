using System.Runtime.Intrinsics;

namespace MLNetTuning.Tuners;

// The per-leaf kernels of the mixture: truncated normals with their bandwidth rules for numeric leaves (binned for
// integers), the categorical kernel for choices. Each adds its log density to every kernel's running sum.
internal sealed partial class ParzenEstimator
{
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
