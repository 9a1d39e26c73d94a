using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// BOHB's model (Falkner et al. 2018): per budget, the observed configurations (search-cube coordinates) split into
/// the best <c>TopFraction</c> ("good", density l) and the rest ("bad", density g), each a product kernel density
/// with normal-reference bandwidths: Gaussian on numeric coordinates (integers have cells of equal width), and
/// Aitchison–Aitken on choices, which has no order (a trainer choice FastTree | LightGbm | Sdca is not a line).
/// New configurations come from the largest budget with enough observations: candidates drawn around good points
/// with widened bandwidths, the one with the highest l/g wins. A share <c>RandomFraction</c> of proposals, and every
/// proposal before a model exists, is uniform.
/// </summary>
internal sealed class BohbDensitySampler : IConfigurationSampler
{
    private readonly HyperparameterSpace _space;
    private readonly SearchCoordinates _coordinates;
    private readonly BohbTunerOptions _options;
    private readonly int _seed;
    private readonly int _minPoints;
    private readonly SortedDictionary<double, List<(double[] X, double Loss)>> _observations = [];

    public BohbDensitySampler(HyperparameterSpace space, BohbTunerOptions options, int seed)
    {
        _space = space;
        _coordinates = SearchCoordinates.Of(space);
        _options = options;
        _seed = seed;
        _minPoints = options.MinPointsInModel ?? (space.Dimension + 1);
    }

    /// <summary>The budget a model-based proposal would be fitted on now, or null while proposals are random.</summary>
    public double? ModelBudget => _observations.Reverse().Where(kv => Split(kv.Value) is not null).Select(kv => (double?)kv.Key).FirstOrDefault();

    public void Observe(TuningTrial trial)
    {
        if (trial.Budget is not double budget || trial.State == TrialState.Running)
        {
            return;
        }

        if (!_observations.TryGetValue(budget, out var list))
        {
            _observations[budget] = list = [];
        }

        list.Add((_coordinates.Encode(trial.Parameters), Fidelity.RankingLoss(trial)));
    }

    public TrialParameters Sample(int trialId)
    {
        var random = SeedMixer.Create(_seed, trialId);
        if (_space.Dimension == 0 || random.NextDouble() < _options.RandomFraction)
        {
            return _coordinates.DrawUniform(random);
        }

        var split = _observations.Reverse().Select(kv => Split(kv.Value)).FirstOrDefault(s => s is not null);
        if (split is not { } model)
        {
            return _coordinates.DrawUniform(random);
        }

        var good = new KernelDensity(model.Good, _coordinates, _options.MinBandwidth);
        var bad = new KernelDensity(model.Bad, _coordinates, _options.MinBandwidth);
        double[]? best = null;
        var bestScore = double.NegativeInfinity;
        var candidate = new double[_space.Dimension];
        for (var c = 0; c < _options.Candidates; c++)
        {
            var centre = model.Good[random.Next(model.Good.Count)];
            for (var d = 0; d < candidate.Length; d++)
            {
                var bandwidth = good.Bandwidths[d] * _options.BandwidthFactor;
                candidate[d] = _coordinates.Kinds[d] == CoordinateKind.Categorical
                    ? NearbyCategory(random, d, centre[d], bandwidth)
                    : TruncatedNormal(random, centre[d], bandwidth);
            }

            var score = good.LogDensity(candidate) - bad.LogDensity(candidate);
            if (score > bestScore || best is null)
            {
                bestScore = score;
                best = (double[])candidate.Clone();
            }
        }

        return _coordinates.Decode(best!);
    }

    /// <summary>The centre's option with probability 1 − λ, else a uniformly drawn one (λ ≥ 1: always drawn).</summary>
    private double NearbyCategory(Random random, int coordinate, double centre, double lambda)
    {
        var count = _coordinates.CategoryCount(coordinate);
        var option = random.NextDouble() < 1 - lambda ? _coordinates.CategoryAt(coordinate, centre) : random.Next(count);
        return (option + 0.5) / count;
    }

    private (List<double[]> Good, List<double[]> Bad)? Split(List<(double[] X, double Loss)> observations)
    {
        var usable = observations.Where(o => double.IsFinite(o.Loss)).OrderBy(o => o.Loss).ToList();
        if (usable.Count < _minPoints + 2)
        {
            return null;
        }

        var goodCount = Math.Max(_minPoints, (int)Math.Floor(_options.TopFraction * usable.Count));
        var badCount = Math.Max(_minPoints, (int)Math.Floor((1 - _options.TopFraction) * usable.Count));
        var good = usable.Take(goodCount).Select(o => o.X).ToList();

        // Failed trials are the worst of all, so they belong to the bad density.
        var bad = usable.Skip(goodCount).Take(badCount).Select(o => o.X)
            .Concat(observations.Where(o => !double.IsFinite(o.Loss)).Select(o => o.X)).ToList();
        return good.Count >= 2 && bad.Count >= 2 ? (good, bad) : null;
    }

    private static double TruncatedNormal(Random random, double mean, double sd)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var x = mean + (sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            if (x is >= 0 and < 1)
            {
                return x;
            }
        }

        return Math.Clamp(mean, 0, Math.BitDecrement(1.0));
    }

    /// <summary>
    /// A product kernel density on the search cube: Gaussian with a normal-reference bandwidth on numeric coordinates,
    /// Aitchison–Aitken on categorical ones (the same option weighs 1 − λ, each other option λ/(c − 1)), with λ from
    /// the same rule applied to the option indices and capped at (c − 1)/c, where every option weighs the same.
    /// </summary>
    private sealed class KernelDensity
    {
        private readonly List<double[]> _points;
        private readonly SearchCoordinates _coordinates;

        public KernelDensity(List<double[]> points, SearchCoordinates coordinates, double minBandwidth)
        {
            _points = points;
            _coordinates = coordinates;
            var dimension = points[0].Length;
            Bandwidths = new double[dimension];
            var scale = 1.06 * Math.Pow(points.Count, -0.2);
            for (var d = 0; d < dimension; d++)
            {
                var categorical = coordinates.Kinds[d] == CoordinateKind.Categorical;
                var values = categorical ? points.Select(p => (double)coordinates.CategoryAt(d, p[d])).ToList() : points.Select(p => p[d]).ToList();
                var mean = values.Average();
                var variance = values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1);
                var bandwidth = Math.Max(minBandwidth, scale * Math.Sqrt(variance));
                if (categorical)
                {
                    var count = coordinates.CategoryCount(d);
                    bandwidth = Math.Min(bandwidth, (count - 1.0) / count);
                }

                Bandwidths[d] = bandwidth;
            }
        }

        public double[] Bandwidths { get; }

        public double LogDensity(double[] x)
        {
            // log of the mean kernel, by log-sum-exp so that far points do not underflow to log(0).
            var logs = new double[_points.Count];
            for (var i = 0; i < _points.Count; i++)
            {
                var sum = 0.0;
                for (var d = 0; d < x.Length; d++)
                {
                    var bandwidth = Bandwidths[d];
                    if (_coordinates.Kinds[d] == CoordinateKind.Categorical)
                    {
                        var count = _coordinates.CategoryCount(d);
                        sum += _coordinates.CategoryAt(d, x[d]) == _coordinates.CategoryAt(d, _points[i][d])
                            ? Math.Log(1 - bandwidth)
                            : Math.Log(bandwidth / (count - 1));
                    }
                    else
                    {
                        var z = (x[d] - _points[i][d]) / bandwidth;
                        sum += (-0.5 * z * z) - Math.Log(bandwidth);
                    }
                }

                logs[i] = sum;
            }

            var max = logs.Max();
            return max + Math.Log(logs.Sum(l => Math.Exp(l - max))) - Math.Log(_points.Count);
        }
    }
}
