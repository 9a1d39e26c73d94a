using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// A search space: named hyperparameters, each with its domain. A space can itself be a member of another
/// space (a nested space), and branches of a <see cref="ConditionalChoice"/> are spaces.
/// </summary>
/// <remarks>
/// Members are kept in ordinal key order; the unit-cube encoding concatenates the members' coordinates in
/// that order, as AutoML's search space does.
/// </remarks>
public sealed class HyperparameterSpace : HyperparameterDomain, IReadOnlyDictionary<string, HyperparameterDomain>
{
    private readonly SortedDictionary<string, HyperparameterDomain> _members;
    private readonly string[] _keys;
    private readonly int[] _offsets;
    private readonly int _dimension;

    /// <summary>Creates a space from named domains.</summary>
    /// <exception cref="ArgumentException">A name is empty, holds a '.' or '$', or repeats.</exception>
    public HyperparameterSpace(IEnumerable<KeyValuePair<string, HyperparameterDomain>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = new SortedDictionary<string, HyperparameterDomain>(StringComparer.Ordinal);
        foreach (var (name, domain) in members)
        {
            ValidateName(name);
            ArgumentNullException.ThrowIfNull(domain, name);
            if (!_members.TryAdd(name, domain))
            {
                throw new ArgumentException($"Invalid search space: the parameter name '{name}' is used twice.", nameof(members));
            }
        }

        _keys = _members.Keys.ToArray();
        _offsets = new int[_keys.Length + 1];
        for (var i = 0; i < _keys.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + _members[_keys[i]].Dimension;
        }

        _dimension = _offsets[^1];
    }

    /// <summary>An empty space.</summary>
    public static HyperparameterSpace Empty { get; } = new([]);

    /// <summary>Starts a fluent builder.</summary>
    public static HyperparameterSpaceBuilder CreateBuilder() => new();

    /// <summary>Reads a space from an options class carrying ML.NET's <c>[Range]</c>, <c>[Choice]</c>,
    /// <c>[BooleanChoice]</c> and <c>[NestOption]</c> attributes (namespace <c>Microsoft.ML.SearchSpace</c>).</summary>
    /// <param name="defaults">When given, its values of the searched members become the defaults; they must lie in their domains.</param>
    public static HyperparameterSpace FromOptions<TOptions>(TOptions? defaults = null)
        where TOptions : class, new() => OptionsSpaceReader.Read(typeof(TOptions), defaults, prefix: null);

    /// <summary>Reads a space from an options type; see <see cref="FromOptions{TOptions}(TOptions)"/>.</summary>
    public static HyperparameterSpace FromOptions(Type optionsType, object? defaults = null) => OptionsSpaceReader.Read(optionsType, defaults, prefix: null);

    /// <inheritdoc/>
    public override int Dimension => _dimension;

    /// <inheritdoc/>
    public override object DefaultValue => Defaults;

    /// <summary>The parameters made of every member's default.</summary>
    public TrialParameters Defaults => new(_members.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value.DefaultValue)));

    /// <inheritdoc/>
    public override string Kind => "space";

    /// <inheritdoc/>
    public int Count => _members.Count;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _keys;

    /// <inheritdoc/>
    public IEnumerable<HyperparameterDomain> Values => _members.Values;

    /// <inheritdoc/>
    public HyperparameterDomain this[string key] => _members.TryGetValue(key, out var d)
        ? d
        : throw new KeyNotFoundException($"The search space has no parameter '{key}'. Known: {string.Join(", ", _keys)}.");

    /// <summary>The coordinate offset of a member within this space's encoding.</summary>
    public int OffsetOf(string key)
    {
        var i = Array.BinarySearch(_keys, key, StringComparer.Ordinal);
        return i >= 0 ? _offsets[i] : throw new KeyNotFoundException($"The search space has no parameter '{key}'.");
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _members.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out HyperparameterDomain value) => _members.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, HyperparameterDomain>> GetEnumerator() => _members.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Maps unit-cube coordinates to parameters.</summary>
    public TrialParameters DecodeParameters(ReadOnlySpan<double> coordinates) => (TrialParameters)Decode(coordinates);

    /// <summary>Maps parameters to unit-cube coordinates.</summary>
    public double[] EncodeParameters(TrialParameters parameters)
    {
        var coordinates = new double[Dimension];
        Encode(parameters, coordinates);
        return coordinates;
    }

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<double> coordinates)
    {
        if (coordinates.Length != Dimension)
        {
            throw new ArgumentException($"The search space has {Dimension} dimension(s), got {coordinates.Length} coordinate(s).");
        }

        var values = new KeyValuePair<string, object?>[_keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            var slice = coordinates[_offsets[i].._offsets[i + 1]];
            values[i] = new(_keys[i], _members[_keys[i]].Decode(slice));
        }

        return new TrialParameters(values);
    }

    /// <inheritdoc/>
    public override void Encode(object? value, Span<double> coordinates)
    {
        if (value is not TrialParameters parameters)
        {
            throw new ArgumentException($"A nested space takes parameters, got '{value}'.");
        }

        if (coordinates.Length != Dimension)
        {
            throw new ArgumentException($"The search space has {Dimension} dimension(s), got {coordinates.Length} coordinate(s).");
        }

        var unknown = parameters.Keys.FirstOrDefault(k => !_members.ContainsKey(k));
        if (unknown is not null)
        {
            throw new ArgumentException($"Parameter '{unknown}' is not in the search space. Known: {string.Join(", ", _keys)}.");
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            var key = _keys[i];
            if (!parameters.TryGetValue(key, out var v))
            {
                throw new ArgumentException($"Parameter '{key}' is missing.");
            }

            try
            {
                _members[key].Encode(v, coordinates[_offsets[i].._offsets[i + 1]]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Parameter '{key}': {e.Message}", e);
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<object?> GridValues(int stepsPerRange) => Grid(0, stepsPerRange, []);

    private IEnumerable<object?> Grid(int index, int steps, List<KeyValuePair<string, object?>> prefix)
    {
        if (index == _keys.Length)
        {
            yield return new TrialParameters(prefix);
            yield break;
        }

        foreach (var value in _members[_keys[index]].GridValues(steps))
        {
            prefix.Add(new(_keys[index], value));
            foreach (var full in Grid(index + 1, steps, prefix))
            {
                yield return full;
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    /// <inheritdoc/>
    public override bool Contains(object? value) =>
        value is TrialParameters p && p.Count == _members.Count && _members.All(kv => p.TryGetValue(kv.Key, out var v) && kv.Value.Contains(v));

    /// <summary>Writes the space as indented JSON.</summary>
    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads a space written by <see cref="ToJsonString"/> (or by hand; see README for the format).</summary>
    /// <exception cref="FormatException">The JSON is not a valid space; the message names the parameter.</exception>
    public static HyperparameterSpace FromJson(string json) => SpaceJson.ReadSpace(json);

    internal override JsonObject ToJson()
    {
        var parameters = new JsonObject();
        foreach (var key in _keys)
        {
            parameters[key] = _members[key].ToJson();
        }

        return new JsonObject { ["type"] = "space", ["parameters"] = parameters };
    }

    internal override object? ValueFromJson(JsonNode? node, string path)
    {
        if (node is not JsonObject obj)
        {
            throw new FormatException($"Parameter '{path}': expected an object of parameters, got {node?.ToJsonString() ?? "null"}.");
        }

        var values = new List<KeyValuePair<string, object?>>();
        foreach (var (key, child) in obj)
        {
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!_members.TryGetValue(key, out var domain))
            {
                throw new FormatException($"Parameter '{childPath}' is not in the search space.");
            }

            values.Add(new(key, domain.ValueFromJson(child, childPath)));
        }

        var missing = _keys.FirstOrDefault(k => !obj.ContainsKey(k));
        if (missing is not null)
        {
            throw new FormatException($"Parameter '{(path.Length == 0 ? missing : $"{path}.{missing}")}' is missing.");
        }

        return new TrialParameters(values);
    }

    internal override JsonNode? ValueToJson(object? value)
    {
        var parameters = (TrialParameters)value!;
        var obj = new JsonObject();
        foreach (var key in _keys)
        {
            obj[key] = _members[key].ValueToJson(parameters[key]);
        }

        return obj;
    }

    internal static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.') || name.StartsWith('$'))
        {
            throw new ArgumentException($"Invalid parameter name '{name}': names must be non-empty, without '.', and not start with '$'.", nameof(name));
        }
    }
}
