using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>
/// How the GP sees a space. A point holds one value per leaf of the flattened space (<see cref="TpeLayout"/>): a
/// number's position in [0, 1] over its (log-)transformed range, a choice's or branch selector's category index,
/// NaN where the leaf's branch is not taken. Its features: numbers as they are (integers rounded to their bin's
/// centre), choices one-hot (a Hamming, or overlap, kernel under the one length scale of the block), and leaves of
/// branches not taken at fixed values (0.5, or an all-zero block), so points of different branches are compared on
/// what they share while the selector's one-hot block tells the branches apart.
/// </summary>
internal sealed class GaussianProcessEncoding
{
    private readonly int[] _firstFeature;

    public GaussianProcessEncoding(HyperparameterSpace space)
    {
        Layout = new TpeLayout(space);
        var leaves = Layout.Leaves;
        _firstFeature = new int[leaves.Length];
        var groups = new List<int>();
        for (var i = 0; i < leaves.Length; i++)
        {
            _firstFeature[i] = groups.Count;
            var width = leaves[i].Kind == TpeLeafKind.Categorical ? leaves[i].Categories : 1;
            for (var k = 0; k < width; k++)
            {
                groups.Add(i);
            }
        }

        GroupOfFeature = groups.ToArray();
    }

    public TpeLayout Layout { get; }

    public int Leaves => Layout.Leaves.Length;

    /// <summary>For each feature, its leaf (the kernel dimension it shares a length scale with).</summary>
    public int[] GroupOfFeature { get; }

    public int FeatureCount => GroupOfFeature.Length;

    /// <summary>The feature of a numeric leaf.</summary>
    public int FeatureOf(int leaf) => _firstFeature[leaf];

    public bool IsCategorical(int leaf) => Layout.Leaves[leaf].Kind == TpeLeafKind.Categorical;

    public bool IsInteger(int leaf) => Layout.Leaves[leaf].Kind == TpeLeafKind.Integer;

    public int Categories(int leaf) => Layout.Leaves[leaf].Categories;

    /// <summary>Marks leaves inactive (NaN) when their branch is not taken, given the selectors' values.</summary>
    public void Normalise(double[] point, double[] fill)
    {
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = Layout.Leaves[i];
            var active = leaf.Parent < 0 || (!double.IsNaN(point[leaf.Parent]) && (int)point[leaf.Parent] == leaf.ParentBranch);
            if (!active)
            {
                point[i] = double.NaN;
            }
            else if (double.IsNaN(point[i]))
            {
                point[i] = fill[i];
            }
        }
    }

    /// <summary>A point drawn uniformly (inactive leaves NaN).</summary>
    public double[] Draw(Random random)
    {
        var point = new double[Leaves];
        for (var i = 0; i < Leaves; i++)
        {
            point[i] = IsCategorical(i) ? random.Next(Categories(i)) : random.NextDouble();
        }

        var full = (double[])point.Clone();
        Normalise(point, full);
        return point;
    }

    /// <summary>Rounds integer leaves to their bin's centre.</summary>
    public void RoundIntegers(double[] point)
    {
        for (var i = 0; i < Leaves; i++)
        {
            if (IsInteger(i) && !double.IsNaN(point[i]))
            {
                var leaf = Layout.Leaves[i];
                var value = leaf.Discretise(leaf.Low + (Math.Clamp(point[i], 0, 1) * (leaf.High - leaf.Low)));
                point[i] = (value - leaf.Low) / (leaf.High - leaf.Low);
            }
        }
    }

    /// <summary>The feature vector of a point (integers taken as given: round them first where they must be exact).</summary>
    public void Features(double[] point, Span<double> features)
    {
        features.Clear();
        for (var i = 0; i < Leaves; i++)
        {
            var at = _firstFeature[i];
            if (IsCategorical(i))
            {
                if (!double.IsNaN(point[i]))
                {
                    features[at + (int)point[i]] = 1;
                }
            }
            else
            {
                features[at] = double.IsNaN(point[i]) ? 0.5 : point[i];
            }
        }
    }

    /// <summary>The point of a trial's parameters.</summary>
    public double[] Encode(TrialParameters parameters)
    {
        var values = Layout.Encode(parameters);
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = Layout.Leaves[i];
            if (!double.IsNaN(values[i]) && leaf.Kind != TpeLeafKind.Categorical)
            {
                values[i] = leaf.High > leaf.Low ? Math.Clamp((values[i] - leaf.Low) / (leaf.High - leaf.Low), 0, 1) : 0.5;
            }
        }

        return values;
    }

    /// <summary>The parameters of a point.</summary>
    public TrialParameters Decode(double[] point)
    {
        var values = new double[Leaves];
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = Layout.Leaves[i];
            values[i] = double.IsNaN(point[i]) || leaf.Kind == TpeLeafKind.Categorical ? point[i]
                : leaf.Kind == TpeLeafKind.Integer ? leaf.Discretise(leaf.Low + (point[i] * (leaf.High - leaf.Low)))
                : leaf.Low + (Math.Clamp(point[i], 0, 1) * (leaf.High - leaf.Low));
        }

        return Layout.Decode(values);
    }
}
