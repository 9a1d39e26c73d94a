using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>What a coordinate of the search cube stands for.</summary>
internal enum CoordinateKind
{
    /// <summary>A float or double range: the coordinate is the space's own unit coordinate.</summary>
    Continuous,

    /// <summary>An integer range: every integer owns a cell of positive width.</summary>
    Integer,

    /// <summary>A choice (or a conditional choice's branch selector): value i of n owns the cell [i/n, (i+1)/n).</summary>
    Categorical,
}

/// <summary>
/// The search cube that evolutionary tuners work in: one coordinate in [0, 1] per coordinate of the space's
/// unit-cube encoding, in the same order, so a conditional choice's inactive branches are carried along.
/// </summary>
/// <remarks>
/// The space's encoding floors integers, so an integer range's largest value is only reached at exactly 1, which
/// a continuous sampler never draws. Here every integer of [min, max] owns a cell of positive width (equal
/// widths on a linear range, equal widths in log(k) on a log range), and decoding hands the space the unit
/// coordinate of that integer. Continuous and categorical coordinates are used as they are.
/// </remarks>
internal sealed class SearchCoordinates
{
    private readonly NumericRange?[] _integerRanges;
    private readonly int[] _categoryCounts;

    private SearchCoordinates(HyperparameterSpace space, List<CoordinateKind> kinds, List<NumericRange?> integerRanges, List<int> categoryCounts)
    {
        Space = space;
        Kinds = kinds.ToArray();
        _integerRanges = integerRanges.ToArray();
        _categoryCounts = categoryCounts.ToArray();
    }

    /// <summary>The space.</summary>
    public HyperparameterSpace Space { get; }

    /// <summary>Kind of each coordinate.</summary>
    public IReadOnlyList<CoordinateKind> Kinds { get; }

    /// <summary>Number of coordinates.</summary>
    public int Dimension => Kinds.Count;

    /// <summary>Reads a space's layout.</summary>
    public static SearchCoordinates Of(HyperparameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var kinds = new List<CoordinateKind>();
        var ranges = new List<NumericRange?>();
        var counts = new List<int>();
        Walk(space, kinds, ranges, counts);
        if (kinds.Count != space.Dimension)
        {
            throw new InvalidOperationException($"The search space has {space.Dimension} coordinates but its domains describe {kinds.Count}.");
        }

        return new SearchCoordinates(space, kinds, ranges, counts);
    }

    /// <summary>Whether the coordinate takes finitely many values (integers and choices).</summary>
    public bool IsDiscrete(int coordinate) => Kinds[coordinate] != CoordinateKind.Continuous;

    /// <summary>
    /// A configuration drawn uniformly from the search cube: log ranges log-uniformly, every option of a choice and
    /// every integer of a range with an equal share (the space's own encoding would never give a range's largest
    /// integer). Every tuner that draws at random draws here.
    /// </summary>
    public TrialParameters DrawUniform(Random random)
    {
        var point = new double[Dimension];
        for (var i = 0; i < point.Length; i++)
        {
            point[i] = random.NextDouble();
        }

        return Decode(point);
    }

    /// <summary>Parameters at a point of the search cube (coordinates outside [0, 1] are clamped).</summary>
    public TrialParameters Decode(ReadOnlySpan<double> point)
    {
        var unit = new double[Dimension];
        for (var i = 0; i < unit.Length; i++)
        {
            var u = Math.Clamp(point[i], 0.0, 1.0);
            unit[i] = Kinds[i] switch
            {
                CoordinateKind.Integer => _integerRanges[i]!.ToUnit(IntegerAt(i, u)),
                CoordinateKind.Categorical => (CategoryAt(i, u) + 0.5) / _categoryCounts[i],
                _ => u,
            };
        }

        return Space.DecodeParameters(unit);
    }

    /// <summary>The point of the search cube for given parameters: discrete values sit at the middle of their cell.</summary>
    public double[] Encode(TrialParameters parameters)
    {
        var point = Space.EncodeParameters(parameters);
        for (var i = 0; i < point.Length; i++)
        {
            switch (Kinds[i])
            {
                case CoordinateKind.Integer:
                    var range = _integerRanges[i]!;
                    var k = (int)Math.Clamp(Math.Floor(range.FromUnit(point[i]) + 1e-6), range.Min, range.Max);
                    var (low, high) = IntegerCell(i, k);
                    point[i] = (low + high) / 2;
                    break;
                case CoordinateKind.Categorical:
                    point[i] = (CategoryAt(i, point[i]) + 0.5) / _categoryCounts[i];
                    break;
            }
        }

        return point;
    }

    /// <summary>The cell [low, high) of the discrete value that <paramref name="u"/> selects on a discrete coordinate.</summary>
    public (double Low, double High) CellAt(int coordinate, double u)
    {
        u = Math.Clamp(u, 0.0, 1.0);
        if (Kinds[coordinate] == CoordinateKind.Integer)
        {
            return IntegerCell(coordinate, IntegerAt(coordinate, u));
        }

        var n = _categoryCounts[coordinate];
        var i = CategoryAt(coordinate, u);
        return ((double)i / n, (double)(i + 1) / n);
    }

    /// <summary>The number of options of a categorical coordinate.</summary>
    public int CategoryCount(int coordinate) => _categoryCounts[coordinate];

    /// <summary>The option index that <paramref name="u"/> selects on a categorical coordinate.</summary>
    public int CategoryAt(int coordinate, double u) => Math.Min((int)Math.Floor(u * _categoryCounts[coordinate]), _categoryCounts[coordinate] - 1);

    private int IntegerAt(int coordinate, double u) => IntegerAt(_integerRanges[coordinate]!, u);

    /// <summary>The integer of an integer range whose cell holds <paramref name="u"/>: cells of equal width on a
    /// linear range, of equal width in log(k) on a log range.</summary>
    public static int IntegerAt(NumericRange range, double u)
    {
        var x = range.LogScale
            ? range.Min * Math.Pow((range.Max + 1) / range.Min, u)
            : range.Min + (u * (range.Max - range.Min + 1));
        return (int)Math.Clamp(Math.Floor(x), range.Min, range.Max);
    }

    private (double Low, double High) IntegerCell(int coordinate, int k)
    {
        var range = _integerRanges[coordinate]!;
        double Position(double x) => range.LogScale
            ? Math.Log(x / range.Min) / Math.Log((range.Max + 1) / range.Min)
            : (x - range.Min) / (range.Max - range.Min + 1);
        return (Position(k), Position(k + 1.0));
    }

    private static void Walk(HyperparameterDomain domain, List<CoordinateKind> kinds, List<NumericRange?> ranges, List<int> counts)
    {
        switch (domain)
        {
            case HyperparameterSpace space:
                foreach (var key in space.Keys)
                {
                    Walk(space[key], kinds, ranges, counts);
                }

                break;
            case NumericRange range:
                var isInteger = range.Type == NumericType.Int32;
                kinds.Add(isInteger ? CoordinateKind.Integer : CoordinateKind.Continuous);
                ranges.Add(isInteger ? range : null);
                counts.Add(0);
                break;
            case ChoiceDomain choice:
                AddChoice(choice, kinds, ranges, counts);
                break;
            case ConditionalChoice conditional:
                AddChoice(conditional.Selector, kinds, ranges, counts);
                foreach (var branch in conditional.Branches.Values)
                {
                    Walk(branch, kinds, ranges, counts);
                }

                break;
            default:
                // Constants and any other zero-width domain take no coordinate.
                if (domain.Dimension != 0)
                {
                    throw new NotSupportedException($"Evolutionary tuners do not know the {domain.Kind} domain ({domain.Dimension} coordinates).");
                }

                break;
        }
    }

    private static void AddChoice(ChoiceDomain choice, List<CoordinateKind> kinds, List<NumericRange?> ranges, List<int> counts)
    {
        if (choice.Dimension == 0)
        {
            return;
        }

        kinds.Add(CoordinateKind.Categorical);
        ranges.Add(null);
        counts.Add(choice.Values.Count);
    }
}
