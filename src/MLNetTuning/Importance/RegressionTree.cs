using System.Runtime.CompilerServices;

namespace MLNetTuning.Importance;

/// <summary>A CART regression tree on features in [0, 1] (squared error, a random subset of the features tried at every
/// node, as in Breiman's random forests),
/// kept as the boxes of its leaves, which is all the variance decomposition needs.</summary>
internal sealed class RegressionTree
{
    private readonly double[][] _x;
    private readonly double[] _y;
    private readonly ParameterImportanceOptions _options;
    private readonly List<LeafBox> _leaves = [];
    private readonly List<double>[] _thresholds;
    private readonly int _featuresPerSplit;

    private RegressionTree(double[][] x, double[] y, ParameterImportanceOptions options, int features)
    {
        _x = x;
        _y = y;
        _options = options;
        _thresholds = Enumerable.Range(0, features).Select(_ => new List<double>()).ToArray();
        _featuresPerSplit = Math.Max(1, (int)Math.Floor((features * options.FeatureFraction) + 1e-9));
    }

    /// <summary>The leaves: their boxes partition the unit cube.</summary>
    public IReadOnlyList<LeafBox> Leaves => _leaves;

    /// <summary>The split thresholds per feature.</summary>
    public IReadOnlyList<List<double>> Thresholds => _thresholds;

    /// <summary>Fits a tree to the rows <paramref name="sample"/> (a bootstrap sample, repeats allowed).</summary>
    public static RegressionTree Fit(double[][] x, double[] y, int[] sample, ParameterImportanceOptions options, Random random)
    {
        var features = x[0].Length;
        var tree = new RegressionTree(x, y, options, features);
        var low = new double[features];
        var high = Enumerable.Repeat(1.0, features).ToArray();
        tree.Grow(sample, 0, low, high, random);
        return tree;
    }

    // The hot loops of importance: jitted optimised at once, since a report runs them once per process (tier-0 code
    // with on-stack replacement made a 10,000-trial report several times slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Grow(int[] rows, int depth, double[] low, double[] high, Random random)
    {
        var mean = rows.Average(r => _y[r]);
        if (rows.Length < _options.MinSamplesSplit || depth >= _options.MaxDepth || rows.All(r => _y[r] == _y[rows[0]])
            || !TryBestSplit(rows, random, out var feature, out var threshold))
        {
            _leaves.Add(new LeafBox((double[])low.Clone(), (double[])high.Clone(), mean));
            return;
        }

        _thresholds[feature].Add(threshold);
        var left = rows.Where(r => _x[r][feature] <= threshold).ToArray();
        var right = rows.Where(r => _x[r][feature] > threshold).ToArray();
        var saved = high[feature];
        high[feature] = threshold;
        Grow(left, depth + 1, low, high, random);
        high[feature] = saved;
        saved = low[feature];
        low[feature] = threshold;
        Grow(right, depth + 1, low, high, random);
        low[feature] = saved;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryBestSplit(int[] rows, Random random, out int bestFeature, out double bestThreshold)
    {
        bestFeature = -1;
        bestThreshold = 0;
        var bestScore = double.NegativeInfinity;
        var n = rows.Length;
        var total = rows.Sum(r => _y[r]);
        var minLeaf = _options.MinSamplesLeaf;
        var order = (int[])rows.Clone();
        var keys = new double[n];

        // Features in a random order: the first _featuresPerSplit that can split compete (sklearn's max_features: it
        // draws on while the drawn ones are constant here), and ties between equally good splits are broken at random.
        var features = Enumerable.Range(0, _thresholds.Length).ToArray();
        random.Shuffle(features);
        var tried = 0;
        foreach (var f in features)
        {
            if (tried >= _featuresPerSplit)
            {
                break;
            }

            for (var i = 0; i < n; i++)
            {
                order[i] = rows[i];
                keys[i] = _x[rows[i]][f];
            }

            Array.Sort(keys, order);
            if (keys[0] < keys[n - 1])
            {
                tried++;
            }

            var leftSum = 0.0;
            for (var i = 0; i < n - 1; i++)
            {
                leftSum += _y[order[i]];
                if (i + 1 < minLeaf || n - i - 1 < minLeaf || keys[i] == keys[i + 1])
                {
                    continue;
                }

                // Maximising sum_left^2/n_left + sum_right^2/n_right minimises the squared error of the children.
                var nl = i + 1;
                var score = (leftSum * leftSum / nl) + ((total - leftSum) * (total - leftSum) / (n - nl));
                if (score > bestScore + 1e-12)
                {
                    bestScore = score;
                    bestFeature = f;
                    bestThreshold = (keys[i] + keys[i + 1]) / 2;
                }
            }
        }

        return bestFeature >= 0;
    }
}

/// <summary>A leaf of a tree: its box in the unit cube and its value.</summary>
internal sealed record LeafBox(double[] Low, double[] High, double Value)
{
    public double Volume
    {
        get
        {
            var v = 1.0;
            for (var i = 0; i < Low.Length; i++)
            {
                v *= High[i] - Low[i];
            }

            return v;
        }
    }
}
