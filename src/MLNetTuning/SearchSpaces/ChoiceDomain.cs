using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// A choice among a finite set of values of one type: strings, numbers, booleans or members of one enum.
/// </summary>
/// <remarks>
/// Values are kept sorted (numbers numerically, strings ordinally, enums by value, false before true), as
/// AutoML does, so that value i of n encodes to i/n and decodes back with floor(u·n).
/// </remarks>
public sealed class ChoiceDomain : HyperparameterDomain
{
    private readonly object[] _values;
    private readonly object _default;

    /// <summary>Creates a choice.</summary>
    /// <param name="values">The candidates; at least one, all of one type, no duplicates.</param>
    /// <param name="defaultValue">The default candidate; the first sorted value when null.</param>
    /// <param name="name">Parameter name used in error messages.</param>
    public ChoiceDomain(IEnumerable<object> values, object? defaultValue = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var what = name is null ? "choice" : $"parameter '{name}'";
        var list = values.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"Invalid {what}: a choice needs at least one value.", name);
        }

        if (list.Any(v => v is null))
        {
            throw new ArgumentException($"Invalid {what}: choice values cannot be null.", name);
        }

        ValueType = list[0].GetType();
        if (!IsSupportedType(ValueType))
        {
            throw new ArgumentException($"Invalid {what}: values of type {ValueType.Name} cannot be searched; use strings, numbers, booleans or enums.", name);
        }

        var other = list.FirstOrDefault(v => v.GetType() != ValueType);
        if (other is not null)
        {
            throw new ArgumentException($"Invalid {what}: all values must have one type, but '{list[0]}' is {ValueType.Name} and '{other}' is {other.GetType().Name}.", name);
        }

        var duplicate = list.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Invalid {what}: the value '{duplicate.Key}' appears more than once.", name);
        }

        list.Sort(CompareValues);
        _values = list.ToArray();
        if (defaultValue is null)
        {
            _default = _values[0];
        }
        else
        {
            _default = Find(defaultValue)
                ?? throw new ArgumentException($"Invalid {what}: default '{defaultValue}' is not one of the values [{string.Join(", ", _values)}].", name);
            HasExplicitDefault = true;
        }
    }

    /// <summary>The candidates, sorted.</summary>
    public IReadOnlyList<object> Values => _values;

    /// <summary>The CLR type of the candidates.</summary>
    public Type ValueType { get; }

    /// <summary>Whether a default was given.</summary>
    public bool HasExplicitDefault { get; }

    /// <inheritdoc/>
    public override int Dimension => _values.Length == 1 ? 0 : 1;

    /// <inheritdoc/>
    public override object DefaultValue => _default;

    /// <inheritdoc/>
    public override string Kind => ValueType == typeof(bool) && _values.Length == 2 ? "bool" : "choice";

    /// <summary>The index of the candidate a unit coordinate selects.</summary>
    public int IndexOf(double unit) => Math.Clamp((int)Math.Floor((Math.Clamp(unit, 0, 1) * _values.Length) + 1e-6), 0, _values.Length - 1);

    /// <summary>The index of a candidate, or -1.</summary>
    public int IndexOfValue(object? value)
    {
        var found = Find(value);
        return found is null ? -1 : Array.IndexOf(_values, found);
    }

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<double> coordinates)
    {
        if (coordinates.Length != Dimension)
        {
            throw new ArgumentException($"This choice takes {Dimension} coordinate(s), got {coordinates.Length}.");
        }

        return Dimension == 0 ? _values[0] : _values[IndexOf(coordinates[0])];
    }

    /// <inheritdoc/>
    public override void Encode(object? value, Span<double> coordinates)
    {
        if (coordinates.Length != Dimension)
        {
            throw new ArgumentException($"This choice takes {Dimension} coordinate(s), got {coordinates.Length}.");
        }

        var index = IndexOfValue(value);
        if (index < 0)
        {
            throw new ArgumentException($"Value '{value}' is not one of the choices [{string.Join(", ", _values)}].");
        }

        if (Dimension == 1)
        {
            coordinates[0] = (double)index / _values.Length;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<object?> GridValues(int stepsPerRange) => _values;

    /// <inheritdoc/>
    public override bool Contains(object? value) => Find(value) is not null;

    /// <summary>Returns the candidate equal to <paramref name="value"/> (an enum may be given by name, a number by any numeric type), or null.</summary>
    public object? Find(object? value)
    {
        if (value is null)
        {
            return null;
        }

        foreach (var candidate in _values)
        {
            if (candidate.Equals(value))
            {
                return candidate;
            }
        }

        if (ValueType.IsEnum && value is string name && Enum.TryParse(ValueType, name, ignoreCase: false, out var parsed))
        {
            return Find(parsed);
        }

        if (NumericRange.AsDouble(value) is double d && ValueType != typeof(bool) && !ValueType.IsEnum)
        {
            return _values.FirstOrDefault(c => NumericRange.AsDouble(c) is double cd && cd == d);
        }

        return null;
    }

    /// <summary>A type name that <see cref="Type.GetType(string)"/> resolves, without the assembly version (which changes with every runtime).</summary>
    internal static string EnumTypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    internal static bool IsSupportedType(Type type) =>
        type == typeof(string) || type == typeof(bool) || type.IsEnum || type == typeof(int) || type == typeof(long)
        || type == typeof(double) || type == typeof(float);

    private static int CompareValues(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (Enum x, Enum y) => System.Convert.ToInt64(x).CompareTo(System.Convert.ToInt64(y)),
        _ => Comparer<object>.Default.Compare(a, b),
    };

    internal override JsonObject ToJson()
    {
        if (Kind == "bool")
        {
            return new JsonObject { ["type"] = "bool", ["default"] = (bool)_default };
        }

        var json = new JsonObject { ["type"] = "choice" };
        if (ValueType.IsEnum)
        {
            json["enum"] = EnumTypeName(ValueType);
        }

        json["values"] = new JsonArray(_values.Select(ValueToJson).ToArray());
        if (HasExplicitDefault)
        {
            json["default"] = ValueToJson(_default);
        }

        return json;
    }

    internal override object? ValueFromJson(JsonNode? node, string path)
    {
        object? raw = node is JsonValue v
            ? (v.TryGetValue(out string? s) ? s : v.TryGetValue(out bool b) ? b : v.TryGetValue(out double d) ? d : null)
            : null;
        return Find(raw) ?? throw new FormatException($"Parameter '{path}': {node?.ToJsonString() ?? "null"} is not one of the choices [{string.Join(", ", _values)}].");
    }

    internal override JsonNode? ValueToJson(object? value) => TrialParameters.ScalarToJson(value);
}
