namespace MLNetTuning.Tuners;

/// <summary>
/// Maximises log expected improvement over the space: many random and local candidates are screened, the best
/// few are refined by quasi-Newton steps on their numbers (integers relaxed, then rounded and compared with their
/// neighbouring integers), and by trying every category of every choice and branch selector, in turns.
/// </summary>
internal sealed class GaussianProcessAcquisition
{
    private readonly GaussianProcessEncoding _encoding;
    private readonly GaussianProcessModel _model;
    private readonly double _incumbent;
    private readonly TrialCostModel? _cost;
    private readonly double[] _dCost;
    private readonly double[] _features;
    private readonly double[] _dMean;
    private readonly double[] _dVariance;
    private readonly bool _exploit;

    /// <param name="encoding">The space's encoding.</param>
    /// <param name="model">The GP on the warped losses.</param>
    /// <param name="incumbent">The lowest warped loss.</param>
    /// <param name="cost">When trial costs count: log EI per second^α.</param>
    /// <param name="exploit">Score by the posterior mean alone (lowest best), for a run's last trials.</param>
    public GaussianProcessAcquisition(GaussianProcessEncoding encoding, GaussianProcessModel model, double incumbent, TrialCostModel? cost = null, bool exploit = false)
    {
        _exploit = exploit;
        _encoding = encoding;
        _model = model;
        _incumbent = incumbent;
        _cost = cost;
        _dCost = new double[encoding.FeatureCount];
        _features = new double[encoding.FeatureCount];
        _dMean = new double[encoding.FeatureCount];
        _dVariance = new double[encoding.FeatureCount];
    }

    /// <summary>log EI at a point, its integers rounded (less α·log predicted seconds when costs count).</summary>
    public double Score(double[] point)
    {
        var rounded = (double[])point.Clone();
        _encoding.RoundIntegers(rounded);
        _encoding.Features(rounded, _features);
        _model.Predict(_features, out var mean, out var variance);
        if (_exploit)
        {
            return -mean;
        }

        var logEi = LogExpectedImprovement.Value(mean, Math.Sqrt(variance), _incumbent, out _, out _);
        return _cost is null ? logEi : logEi - _cost.Penalty(_features, []);
    }

    /// <summary>The best point found, its integers rounded, that is none of <paramref name="taken"/>; null if every candidate was taken.</summary>
    /// <param name="good">Observed points, best first, to search around.</param>
    /// <param name="taken">Points already tried or running.</param>
    /// <param name="random">The proposal's random stream.</param>
    /// <param name="rawCount">Random candidates screened.</param>
    /// <param name="starts">Candidates refined.</param>
    public double[]? Optimise(IReadOnlyList<double[]> good, IReadOnlyCollection<double[]> taken, Random random, int rawCount, int starts)
    {
        var candidates = new List<(double[] Point, double[] Fill)>();
        for (var i = 0; i < rawCount; i++)
        {
            candidates.Add((_encoding.Draw(random), FullDraw(random)));
        }

        foreach (var point in good.Take(5))
        {
            for (var k = 0; k < 16; k++)
            {
                candidates.Add((Perturb(point, random, 0.02 + (0.2 * random.NextDouble())), FullDraw(random)));
            }
        }

        var ranked = candidates.Select(c => (c.Point, c.Fill, Score: Score(c.Point)))
            .OrderByDescending(c => c.Score).ToList();
        var refined = new List<(double[] Point, double Score)>();
        foreach (var (point, fill, _) in ranked.Take(starts))
        {
            refined.Add(Refine((double[])point.Clone(), fill));
        }

        foreach (var (point, score) in refined.Concat(ranked.Skip(starts).Select(r => (r.Point, r.Score))).OrderByDescending(r => r.Score))
        {
            var rounded = (double[])point.Clone();
            _encoding.RoundIntegers(rounded);
            if (!taken.Any(t => Same(t, rounded)))
            {
                return rounded;
            }
        }

        return null;
    }

    private (double[] Point, double Score) Refine(double[] point, double[] fill)
    {
        var score = double.NegativeInfinity;
        for (var round = 0; round < 3; round++)
        {
            Continuous(point);
            _encoding.RoundIntegers(point);
            score = IntegerNeighbours(point, Score(point));
            var (changed, swept) = Categories(point, fill, score);
            score = swept;
            if (!changed)
            {
                break;
            }
        }

        return (point, score);
    }

    /// <summary>L-BFGS on the active numbers, integers relaxed.</summary>
    private void Continuous(double[] point)
    {
        var leaves = Enumerable.Range(0, _encoding.Leaves).Where(i => !_encoding.IsCategorical(i) && !double.IsNaN(point[i])).ToArray();
        if (leaves.Length == 0)
        {
            return;
        }

        var x = leaves.Select(i => point[i]).ToArray();
        var low = new double[x.Length];
        var high = Enumerable.Repeat(1.0, x.Length).ToArray();
        var work = (double[])point.Clone();
        BoundedLbfgs.Minimise(
            (v, gradient) =>
            {
                for (var k = 0; k < leaves.Length; k++)
                {
                    work[leaves[k]] = v[k];
                }

                _encoding.Features(work, _features);
                _model.Predict(_features, out var mean, out var variance, _dMean, _dVariance);
                if (_exploit)
                {
                    for (var k = 0; k < leaves.Length; k++)
                    {
                        gradient[k] = _dMean[_encoding.FeatureOf(leaves[k])];
                    }

                    return mean;
                }

                var sd = Math.Sqrt(variance);
                var logEi = LogExpectedImprovement.Value(mean, sd, _incumbent, out var dM, out var dS);
                for (var k = 0; k < leaves.Length; k++)
                {
                    var f = _encoding.FeatureOf(leaves[k]);
                    gradient[k] = -((dM * _dMean[f]) + (dS * _dVariance[f] / (2 * sd)));
                }

                if (_cost is null)
                {
                    return -logEi;
                }

                var penalty = _cost.Penalty(_features, _dCost);
                for (var k = 0; k < leaves.Length; k++)
                {
                    gradient[k] += _dCost[_encoding.FeatureOf(leaves[k])];
                }

                return penalty - logEi;
            },
            x,
            low,
            high,
            maxIterations: 30);
        for (var k = 0; k < leaves.Length; k++)
        {
            point[leaves[k]] = x[k];
        }
    }

    /// <summary>Moves each active integer one step up or down while that raises log EI.</summary>
    private double IntegerNeighbours(double[] point, double score)
    {
        for (var i = 0; i < _encoding.Leaves; i++)
        {
            if (!_encoding.IsInteger(i) || double.IsNaN(point[i]))
            {
                continue;
            }

            var leaf = _encoding.Layout.Leaves[i];
            var k = leaf.IntegerOf(leaf.Low + (point[i] * (leaf.High - leaf.Low)));
            foreach (var step in new[] { -1.0, 1.0 })
            {
                var next = k + step;
                if (next < leaf.Range!.Min || next > leaf.Range.Max)
                {
                    continue;
                }

                var trial = (double[])point.Clone();
                trial[i] = ((leaf.Log ? Math.Log(next) : next) - leaf.Low) / (leaf.High - leaf.Low);
                var s = Score(trial);
                if (s > score)
                {
                    score = s;
                    Array.Copy(trial, point, point.Length);
                }
            }
        }

        return score;
    }

    /// <summary>Tries every category of each active choice and selector (a branch switched on takes its leaves from <paramref name="fill"/>).</summary>
    private (bool Changed, double Score) Categories(double[] point, double[] fill, double score)
    {
        var changed = false;
        for (var i = 0; i < _encoding.Leaves; i++)
        {
            if (!_encoding.IsCategorical(i) || double.IsNaN(point[i]))
            {
                continue;
            }

            var current = (int)point[i];
            for (var c = 0; c < _encoding.Categories(i); c++)
            {
                if (c == current)
                {
                    continue;
                }

                var trial = (double[])point.Clone();
                trial[i] = c;
                _encoding.Normalise(trial, fill);
                _encoding.RoundIntegers(trial);
                var s = Score(trial);
                if (s > score)
                {
                    score = s;
                    Array.Copy(trial, point, point.Length);
                    changed = true;
                }
            }
        }

        return (changed, score);
    }

    private double[] FullDraw(Random random) => Enumerable.Range(0, _encoding.Leaves)
        .Select(i => _encoding.IsCategorical(i) ? random.Next(_encoding.Categories(i)) : random.NextDouble()).ToArray();

    /// <summary>A Gaussian step of scale <paramref name="scale"/> on every active number; each choice changes with probability 1/leaves.</summary>
    private double[] Perturb(double[] point, Random random, double scale)
    {
        var result = (double[])point.Clone();
        var fill = FullDraw(random);
        for (var i = 0; i < result.Length; i++)
        {
            if (double.IsNaN(result[i]))
            {
                continue;
            }

            if (_encoding.IsCategorical(i))
            {
                if (random.NextDouble() < 1.0 / _encoding.Leaves)
                {
                    result[i] = random.Next(_encoding.Categories(i));
                }
            }
            else
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                result[i] = Math.Clamp(result[i] + (scale * gaussian), 0, 1);
            }
        }

        _encoding.Normalise(result, fill);
        return result;
    }

    private static bool Same(double[] a, double[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) != double.IsNaN(b[i]) || (!double.IsNaN(a[i]) && Math.Abs(a[i] - b[i]) > 1e-9))
            {
                return false;
            }
        }

        return true;
    }
}
