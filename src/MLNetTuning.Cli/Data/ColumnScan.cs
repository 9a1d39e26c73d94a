using System.Globalization;

namespace MLNetTuning.Cli.Data;

/// <summary>What one column holds, counted over every row.</summary>
internal sealed class ColumnScan
{
    /// <summary>Distinct values kept per column; beyond it only <see cref="MoreDistinct"/> is set.</summary>
    public const int DistinctLimit = 1000;

    private static readonly HashSet<string> MissingMarks = new(StringComparer.OrdinalIgnoreCase) { "", "NA", "N/A", "?", "NaN", "null" };

    private readonly Dictionary<string, ValueSeen> _values = new(StringComparer.Ordinal);

    /// <summary>Non-missing values.</summary>
    public int Present { get; private set; }

    /// <summary>Missing values (empty, NA, ...).</summary>
    public int Missing { get; private set; }

    /// <summary>Non-missing values that parse as numbers.</summary>
    public int Numbers { get; private set; }

    /// <summary>Non-missing values that do not parse as numbers.</summary>
    public int NonNumbers => Present - Numbers;

    /// <summary>Non-missing values that are true or false.</summary>
    public int Booleans { get; private set; }

    /// <summary>The first value that is not a number, and its line.</summary>
    public string? FirstNonNumber { get; private set; }

    /// <inheritdoc cref="FirstNonNumber"/>
    public int FirstNonNumberLine { get; private set; }

    /// <summary>The first line with a missing value.</summary>
    public int FirstMissingLine { get; private set; }

    /// <summary>The smallest value that parses as a number (NaN when none does), as written, and its first line.</summary>
    public double Minimum { get; private set; } = double.NaN;

    /// <inheritdoc cref="Minimum"/>
    public string? MinimumText { get; private set; }

    /// <inheritdoc cref="Minimum"/>
    public int MinimumLine { get; private set; }

    /// <summary>Values that parse as numbers below 0 (what a Poisson label may not be).</summary>
    public int Negatives { get; private set; }

    /// <summary>The first value below 0, as written, and its line.</summary>
    public string? FirstNegative { get; private set; }

    /// <inheritdoc cref="FirstNegative"/>
    public int FirstNegativeLine { get; private set; }

    /// <summary>The distinct non-missing values in order of first appearance, with their first line and count.</summary>
    public IReadOnlyDictionary<string, ValueSeen> Values => _values;

    /// <summary>The column has more distinct values than <see cref="DistinctLimit"/>.</summary>
    public bool MoreDistinct { get; private set; }

    public static bool IsMissing(string trimmed) => MissingMarks.Contains(trimmed);

    public void Add(string value, int line)
    {
        if (IsMissing(value))
        {
            Missing++;
            FirstMissingLine = FirstMissingLine == 0 ? line : FirstMissingLine;
            return;
        }

        Present++;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            Numbers++;
            AddNumber(number, value, line);
        }
        else if (FirstNonNumber is null)
        {
            FirstNonNumber = value;
            FirstNonNumberLine = line;
        }

        if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            Booleans++;
        }

        if (_values.TryGetValue(value, out var seen))
        {
            seen.Count++;
        }
        else if (_values.Count < DistinctLimit)
        {
            _values[value] = new ValueSeen(line);
        }
        else
        {
            MoreDistinct = true;
        }
    }

    private void AddNumber(double number, string value, int line)
    {
        // Minimum starts as NaN, so the first number always takes its place (a NaN spelt otherwise never does).
        if (!(Minimum <= number) && !double.IsNaN(number))
        {
            (Minimum, MinimumText, MinimumLine) = (number, value, line);
        }

        if (number < 0 && Negatives++ == 0)
        {
            (FirstNegative, FirstNegativeLine) = (value, line);
        }
    }
}

/// <summary>Where a value first appears and how often.</summary>
internal sealed class ValueSeen(int firstLine)
{
    public int FirstLine { get; } = firstLine;

    public int Count { get; set; } = 1;
}
