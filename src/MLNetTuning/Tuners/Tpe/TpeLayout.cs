using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>How TPE models one searched value.</summary>
internal enum TpeLeafKind
{
    /// <summary>A float or double range, modelled in its (log-)transformed domain.</summary>
    Continuous,

    /// <summary>An integer range: kernels are discretised to unit bins of the (log-)transformed domain.</summary>
    Integer,

    /// <summary>A choice or a branch selector: modelled by the categorical kernel.</summary>
    Categorical,
}

/// <summary>One searched value of the space, flattened out of nested spaces and conditional branches.</summary>
internal sealed class TpeLeaf
{
    public required string Path { get; init; }

    public required TpeLeafKind Kind { get; init; }

    /// <summary>Index of the leaf's coordinate in the space's unit-cube encoding.</summary>
    public required int Coordinate { get; init; }

    /// <summary>The branch selector leaf this one depends on, or -1 when always active.</summary>
    public required int Parent { get; init; }

    /// <summary>The branch index of <see cref="Parent"/> under which this leaf is active.</summary>
    public required int ParentBranch { get; init; }

    /// <summary>The group of leaves sharing the same activation condition.</summary>
    public int Group { get; set; }

    public NumericRange? Range { get; init; }

    public ChoiceDomain? Choice { get; init; }

    /// <summary>Number of categories (categorical leaves).</summary>
    public int Categories { get; init; }

    /// <summary>Lower bound of the transformed domain (integers widened by half a step).</summary>
    public double Low { get; init; }

    /// <summary>Upper bound of the transformed domain (integers widened by half a step).</summary>
    public double High { get; init; }

    public bool Log => Range?.LogScale ?? false;

    /// <summary>Turns a trial's unit coordinate into the leaf's internal value (transformed number or category index).</summary>
    public double FromUnit(double unit)
    {
        switch (Kind)
        {
            case TpeLeafKind.Categorical:
                return Choice!.IndexOf(unit);
            case TpeLeafKind.Integer:
                var k = System.Convert.ToDouble(Range!.Convert(Range.FromUnit(unit)), System.Globalization.CultureInfo.InvariantCulture);
                return Log ? Math.Log(k) : k;
            default:
                var x = Range!.FromUnit(unit);
                return Math.Clamp(Log ? Math.Log(x) : x, Low, High);
        }
    }

    /// <summary>Turns an internal value into a unit coordinate that decodes to it.</summary>
    public double ToUnit(double value)
    {
        switch (Kind)
        {
            case TpeLeafKind.Categorical:
                return (value + 0.5) / Categories;
            case TpeLeafKind.Integer:
                // A quarter step up survives the decoder's flooring of rounding noise.
                return Range!.ToUnit(IntegerOf(value) + 0.25);
            default:
                return Range!.ToUnit(Log ? Math.Exp(value) : value);
        }
    }

    /// <summary>The whole number an integer leaf's internal value stands for.</summary>
    public double IntegerOf(double value) => Math.Clamp(Math.Round(Log ? Math.Exp(value) : value), Range!.Min, Range.Max);

    /// <summary>Rounds a transformed draw of an integer leaf to its bin's internal value.</summary>
    public double Discretise(double value)
    {
        var k = IntegerOf(value);
        return Log ? Math.Log(k) : k;
    }

    /// <summary>The bin of the transformed domain an integer leaf's internal value covers.</summary>
    public (double Low, double High) BinOf(double value)
    {
        var k = IntegerOf(value);
        return Log ? (Math.Log(k - 0.5), Math.Log(k + 0.5)) : (k - 0.5, k + 0.5);
    }
}

/// <summary>The flattened view of a space TPE works on: its leaves in encoding order (every branch selector
/// before the leaves it governs) and their groups (leaves sharing one activation condition).</summary>
internal sealed class TpeLayout
{
    private readonly List<TpeLeaf> _leaves = [];

    public TpeLayout(HyperparameterSpace space)
    {
        Space = space;
        Add(space, 0, -1, -1, "");
        var groups = new Dictionary<(int, int), int>();
        foreach (var leaf in _leaves)
        {
            var key = (leaf.Parent, leaf.ParentBranch);
            if (!groups.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groups.Add(key, group);
            }

            leaf.Group = group;
        }

        Leaves = _leaves.ToArray();
        Groups = Enumerable.Range(0, groups.Count)
            .Select(g => Enumerable.Range(0, Leaves.Length).Where(i => Leaves[i].Group == g).ToArray())
            .ToArray();
    }

    public HyperparameterSpace Space { get; }

    public TpeLeaf[] Leaves { get; }

    /// <summary>Leaf indices of each group, groups in order of first appearance (a group's condition only
    /// involves leaves of earlier groups).</summary>
    public int[][] Groups { get; }

    /// <summary>Whether a leaf is active given the values of the leaves before it (NaN marks inactive ones).</summary>
    public bool IsActive(int leaf, ReadOnlySpan<double> values)
    {
        var l = Leaves[leaf];
        return l.Parent < 0 || (!double.IsNaN(values[l.Parent]) && (int)values[l.Parent] == l.ParentBranch);
    }

    /// <summary>Internal values of a trial's parameters, NaN for leaves in branches it did not take.</summary>
    public double[] Encode(TrialParameters parameters)
    {
        var units = Space.EncodeParameters(parameters);
        var values = new double[Leaves.Length];
        for (var i = 0; i < Leaves.Length; i++)
        {
            values[i] = IsActive(i, values) ? Leaves[i].FromUnit(units[Leaves[i].Coordinate]) : double.NaN;
        }

        return values;
    }

    /// <summary>Parameters from internal values (inactive leaves are ignored by the decoder).</summary>
    public TrialParameters Decode(ReadOnlySpan<double> values)
    {
        var units = new double[Space.Dimension];
        Array.Fill(units, 0.5);
        for (var i = 0; i < Leaves.Length; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                units[Leaves[i].Coordinate] = Leaves[i].ToUnit(values[i]);
            }
        }

        return Space.DecodeParameters(units);
    }

    private void Add(HyperparameterSpace space, int offset, int parent, int parentBranch, string prefix)
    {
        foreach (var key in space.Keys)
        {
            var domain = space[key];
            var at = offset + space.OffsetOf(key);
            var path = prefix + key;
            switch (domain)
            {
                case NumericRange range:
                    var integer = range.Type == NumericType.Int32;
                    var low = integer ? range.Min - 0.5 : range.Min;
                    var high = integer ? range.Max + 0.5 : range.Max;
                    _leaves.Add(new TpeLeaf
                    {
                        Path = path,
                        Kind = integer ? TpeLeafKind.Integer : TpeLeafKind.Continuous,
                        Coordinate = at,
                        Parent = parent,
                        ParentBranch = parentBranch,
                        Range = range,
                        Low = range.LogScale ? Math.Log(low) : low,
                        High = range.LogScale ? Math.Log(high) : high,
                    });
                    break;
                case ChoiceDomain choice when choice.Dimension == 1:
                    _leaves.Add(Categorical(path, choice, at, parent, parentBranch));
                    break;
                case HyperparameterSpace nested:
                    Add(nested, at, parent, parentBranch, path + ".");
                    break;
                case ConditionalChoice conditional:
                    var selector = -1;
                    if (conditional.Selector.Dimension == 1)
                    {
                        selector = _leaves.Count;
                        _leaves.Add(Categorical(path, conditional.Selector, at, parent, parentBranch));
                    }

                    var b = 0;
                    foreach (var (name, branch) in conditional.Branches)
                    {
                        var branchAt = at + conditional.OffsetOf(name);
                        if (selector >= 0)
                        {
                            Add(branch, branchAt, selector, b, $"{path}.{name}.");
                        }
                        else
                        {
                            Add(branch, branchAt, parent, parentBranch, $"{path}.{name}.");
                        }

                        b++;
                    }

                    break;
                default:
                    // Constants and single-value choices take no coordinate: nothing to model.
                    break;
            }
        }
    }

    private static TpeLeaf Categorical(string path, ChoiceDomain choice, int at, int parent, int parentBranch) => new()
    {
        Path = path,
        Kind = TpeLeafKind.Categorical,
        Coordinate = at,
        Parent = parent,
        ParentBranch = parentBranch,
        Choice = choice,
        Categories = choice.Values.Count,
        Low = 0,
        High = choice.Values.Count - 1,
    };
}
