using System.Globalization;
using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>The number type of a <see cref="NumericRange"/>.</summary>
public enum NumericType
{
    /// <summary>A <see cref="double"/>.</summary>
    Double,

    /// <summary>A <see cref="float"/>.</summary>
    Single,

    /// <summary>An <see cref="int"/>; decoded values are floored.</summary>
    Int32,
}

/// <summary>A closed numeric range [min, max], searched linearly or on a log scale.</summary>
public sealed class NumericRange : HyperparameterDomain
{
    /// <summary>Creates a range; see <see cref="HyperparameterSpaceBuilder"/> for the usual way in.</summary>
    /// <param name="type">Number type of the values.</param>
    /// <param name="min">Smallest value.</param>
    /// <param name="max">Largest value; must be greater than <paramref name="min"/>.</param>
    /// <param name="logScale">Search on a log scale; needs <paramref name="min"/> &gt; 0.</param>
    /// <param name="defaultValue">Default value; the range's centre in the encoded space when null.</param>
    /// <param name="name">Parameter name used in error messages.</param>
    public NumericRange(NumericType type, double min, double max, bool logScale = false, double? defaultValue = null, string? name = null)
    {
        var what = name is null ? "range" : $"parameter '{name}'";
        if (double.IsNaN(min) || double.IsInfinity(min) || double.IsNaN(max) || double.IsInfinity(max))
        {
            throw new ArgumentException($"Invalid {what}: min and max must be finite numbers, got [{Format(min)}, {Format(max)}].", name);
        }

        if (min >= max)
        {
            throw new ArgumentException($"Invalid {what}: min ({Format(min)}) must be less than max ({Format(max)}).", name);
        }

        if (logScale && min <= 0)
        {
            throw new ArgumentException($"Invalid {what}: a log-scale range needs min > 0, got min = {Format(min)}.", name);
        }

        if (type == NumericType.Int32 && (min != Math.Floor(min) || max != Math.Floor(max) || min < int.MinValue || max > int.MaxValue))
        {
            throw new ArgumentException($"Invalid {what}: an integer range needs whole-number bounds within Int32, got [{Format(min)}, {Format(max)}].", name);
        }

        Type = type;

        // A float range keeps float bounds, so that a range read back from JSON decodes identically.
        Min = type == NumericType.Single ? (float)min : min;
        Max = type == NumericType.Single ? (float)max : max;
        LogScale = logScale;
        if (defaultValue is double d)
        {
            if (double.IsNaN(d) || d < min || d > max)
            {
                throw new ArgumentException($"Invalid {what}: default {Format(d)} is outside the range [{Format(min)}, {Format(max)}].", name);
            }

            if (type == NumericType.Int32 && d != Math.Floor(d))
            {
                throw new ArgumentException($"Invalid {what}: default {Format(d)} of an integer range is not a whole number.", name);
            }

            HasExplicitDefault = true;
            _default = Convert(d);
        }
        else
        {
            _default = Decode([0.5]);
        }
    }

    private readonly object _default;

    /// <summary>Number type of the values.</summary>
    public NumericType Type { get; }

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>Whether the range is searched on a log scale.</summary>
    public bool LogScale { get; }

    /// <summary>Whether a default was given (otherwise the default is the encoded centre).</summary>
    public bool HasExplicitDefault { get; }

    /// <inheritdoc/>
    public override int Dimension => 1;

    /// <inheritdoc/>
    public override object DefaultValue => _default;

    /// <inheritdoc/>
    public override string Kind => Type switch
    {
        NumericType.Double => "double",
        NumericType.Single => "float",
        _ => "int",
    };

    /// <summary>Maps a unit coordinate to a number of the range (before any integer flooring).</summary>
    public double FromUnit(double unit)
    {
        unit = Math.Clamp(unit, 0.0, 1.0);
        var x = LogScale ? Min * Math.Pow(Max / Min, unit) : Min + ((Max - Min) * unit);
        return Math.Clamp(x, Min, Max);
    }

    /// <summary>Maps a number of the range to its unit coordinate.</summary>
    public double ToUnit(double x)
    {
        var u = LogScale
            ? (Math.Log(x) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min))
            : (x - Min) / (Max - Min);
        return Math.Clamp(u, 0.0, 1.0);
    }

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<double> coordinates)
    {
        CheckLength(coordinates.Length);
        return Convert(FromUnit(coordinates[0]));
    }

    /// <inheritdoc/>
    public override void Encode(object? value, Span<double> coordinates)
    {
        CheckLength(coordinates.Length);
        var x = AsDouble(value) ?? throw new ArgumentException($"Value '{value}' is not a number of the {Kind} range [{Format(Min)}, {Format(Max)}].");
        if (!Contains(value))
        {
            throw new ArgumentException($"Value {Format(x)} is outside the range [{Format(Min)}, {Format(Max)}].");
        }

        coordinates[0] = ToUnit(x);
    }

    /// <inheritdoc/>
    public override IEnumerable<object?> GridValues(int stepsPerRange)
    {
        if (stepsPerRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stepsPerRange), stepsPerRange, "A grid needs at least one step per range.");
        }

        var seen = new HashSet<object>();
        for (var i = 0; i < stepsPerRange; i++)
        {
            var unit = stepsPerRange == 1 ? 0.5 : (double)i / (stepsPerRange - 1);
            var value = Decode([unit]);
            if (seen.Add(value))
            {
                yield return value;
            }
        }
    }

    /// <inheritdoc/>
    public override bool Contains(object? value)
    {
        var x = AsDouble(value);
        if (x is not double d || double.IsNaN(d))
        {
            return false;
        }

        // A float's widening to double may land a hair outside the bounds it was decoded from.
        var slack = Type == NumericType.Single ? 1e-6 * Math.Max(Math.Abs(Min), Math.Abs(Max)) : 0;
        return d >= Min - slack && d <= Max + slack && (Type != NumericType.Int32 || d == Math.Floor(d));
    }

    /// <summary>Converts a number to the range's number type (integers floored as AutoML does).</summary>
    public object Convert(double x) => Type switch
    {
        NumericType.Double => (object)x,
        NumericType.Single => (object)(float)x,
        _ => (object)(int)Math.Clamp(Math.Floor(x + 1e-6), Min, Max),
    };

    internal static double? AsDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        decimal m => (double)m,
        uint u => u,
        _ => null,
    };

    internal static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private void CheckLength(int length)
    {
        if (length != 1)
        {
            throw new ArgumentException($"A numeric range takes 1 coordinate, got {length}.");
        }
    }

    internal override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["type"] = Kind,
            ["min"] = ValueToJson(Convert(Min)),
            ["max"] = ValueToJson(Convert(Max)),
        };
        if (LogScale)
        {
            json["log"] = true;
        }

        if (HasExplicitDefault)
        {
            json["default"] = ValueToJson(_default);
        }

        return json;
    }

    internal override object? ValueFromJson(JsonNode? node, string path)
    {
        if (node is JsonValue v && v.TryGetValue(out double d))
        {
            var value = Convert(d);
            if (!Contains(d) || !Contains(value) || (Type == NumericType.Int32 && d != Math.Floor(d)))
            {
                throw new FormatException($"Parameter '{path}': {Format(d)} is not a value of the {Kind} range [{Format(Min)}, {Format(Max)}].");
            }

            return value;
        }

        throw new FormatException($"Parameter '{path}': expected a number, got {node?.ToJsonString() ?? "null"}.");
    }

    internal override JsonNode? ValueToJson(object? value) => value switch
    {
        int i => JsonValue.Create(i),
        float f => JsonValue.Create(f),
        _ => JsonValue.Create(AsDouble(value) ?? throw new ArgumentException($"'{value}' is not a number.")),
    };
}
