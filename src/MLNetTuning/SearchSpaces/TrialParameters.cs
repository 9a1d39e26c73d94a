using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// An immutable set of hyperparameter values proposed for a trial, keyed by name in ordinal order. Values
/// are numbers, strings, booleans, enums, nested <see cref="TrialParameters"/> or <see cref="BranchSelection"/>s.
/// </summary>
public sealed class TrialParameters : IReadOnlyDictionary<string, object?>, IEquatable<TrialParameters>
{
    private readonly SortedDictionary<string, object?> _values;

    /// <summary>Creates parameters from name-value pairs.</summary>
    public TrialParameters(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!_values.TryAdd(key, value))
            {
                throw new ArgumentException($"Parameter '{key}' is given twice.", nameof(values));
            }
        }
    }

    /// <summary>No parameters.</summary>
    public static TrialParameters Empty { get; } = new([]);

    /// <inheritdoc/>
    public object? this[string key] => _values.TryGetValue(key, out var v)
        ? v
        : throw new KeyNotFoundException($"No parameter '{key}'. Known: {string.Join(", ", _values.Keys)}.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public IEnumerable<object?> Values => _values.Values;

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <summary>Reads a value converted to <typeparamref name="T"/> (numbers convert between numeric types, enums from names).</summary>
    public T Get<T>(string key) => (T)ConvertValue(this[key], typeof(T), key)!;

    /// <summary>Returns a copy with one value replaced or added.</summary>
    public TrialParameters With(string key, object? value) =>
        new(_values.Where(kv => kv.Key != key).Append(new KeyValuePair<string, object?>(key, value)));

    /// <summary>Decodes into a new options object: <paramref name="defaults"/>' members first (column names and
    /// anything else not searched), then every parameter onto the member of the same name, nested options included.</summary>
    public TOptions ToOptions<TOptions>(TOptions? defaults = null)
        where TOptions : class, new() => (TOptions)OptionsSpaceReader.ToOptions(typeof(TOptions), this, defaults);

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes the parameters as JSON; conditional branches as <c>{"$branch": name, "$parameters": {...}}</c>.</summary>
    public string ToJson(bool indented = false) => ToJsonNode().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    /// <summary>Reads parameters against a space, restoring each value's exact type and checking it belongs to the space.</summary>
    /// <exception cref="FormatException">A value is missing, unknown or outside its domain; the message names it.</exception>
    public static TrialParameters FromJson(string json, HyperparameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return (TrialParameters)space.ValueFromJson(Parse(json), "")!;
    }

    /// <summary>Reads parameters without a space: whole numbers become <see cref="int"/> (or <see cref="long"/>), others <see cref="double"/>.</summary>
    public static TrialParameters FromJson(string json) =>
        Parse(json) is JsonObject obj ? FromUntyped(obj) : throw new FormatException("Trial parameters must be a JSON object.");

    /// <inheritdoc/>
    public bool Equals(TrialParameters? other) =>
        other is not null && other.Count == Count && _values.All(kv => other._values.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TrialParameters);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var (k, v) in _values)
        {
            hash.Add(k);
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        "{" + string.Join(", ", _values.Select(kv => $"{kv.Key}={FormatValue(kv.Value)}")) + "}";

    internal static string FormatValue(object? value) => value switch
    {
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        null => "null",
        _ => value.ToString() ?? "",
    };

    internal JsonObject ToJsonNode()
    {
        var obj = new JsonObject();
        foreach (var (key, value) in _values)
        {
            obj[key] = ToNode(value);
        }

        return obj;
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        TrialParameters p => p.ToJsonNode(),
        BranchSelection s => new JsonObject { ["$branch"] = s.Branch, ["$parameters"] = s.Parameters.ToJsonNode() },
        _ => ScalarToJson(value),
    };

    internal static JsonNode ScalarToJson(object? value) => value switch
    {
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        Enum e => JsonValue.Create(e.ToString()),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        _ => throw new ArgumentException($"A parameter value of type {value?.GetType().Name ?? "null"} cannot be written as JSON."),
    };

    private static JsonNode? Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Trial parameters are not valid JSON: {e.Message}", e);
        }
    }

    private static TrialParameters FromUntyped(JsonObject obj) =>
        new(obj.Select(kv => new KeyValuePair<string, object?>(kv.Key, FromUntypedNode(kv.Value))));

    private static object? FromUntypedNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o when o["$branch"] is JsonValue b && b.TryGetValue(out string? branch):
                return new BranchSelection(branch, o["$parameters"] is JsonObject p ? FromUntyped(p) : Empty);
            case JsonObject o:
                return FromUntyped(o);
            case JsonValue v when v.TryGetValue(out string? s):
                return s;
            case JsonValue v when v.TryGetValue(out bool b):
                return b;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                if (v.TryGetValue(out int i))
                {
                    return i;
                }

                if (v.TryGetValue(out long l))
                {
                    return l;
                }

                return v.GetValue<double>();
            default:
                throw new FormatException($"Unsupported parameter value {node.ToJsonString()}.");
        }
    }

    internal static object? ConvertValue(object? value, Type target, string key)
    {
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        try
        {
            return value switch
            {
                null => null,
                _ when underlying.IsInstanceOfType(value) => value,
                string s when underlying.IsEnum => Enum.Parse(underlying, s),
                _ when underlying.IsEnum => Enum.ToObject(underlying, value),
                IConvertible c when underlying.IsPrimitive || underlying == typeof(decimal) || underlying == typeof(string) =>
                    Convert.ChangeType(c, underlying, CultureInfo.InvariantCulture),
                _ => throw new InvalidCastException(),
            };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidCastException($"Parameter '{key}': the value '{value}' ({value?.GetType().Name}) cannot be converted to {target.Name}.", e);
        }
    }
}
