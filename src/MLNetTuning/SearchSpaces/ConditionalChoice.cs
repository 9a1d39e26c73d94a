using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// A choice between named branches, each carrying its own sub-space: for example
/// trainer = FastTree{leaves, trees} | LightGbm{leaves, learning rate}. Its value is a <see cref="BranchSelection"/>.
/// </summary>
/// <remarks>
/// Encoding: the branch selector (a choice over the sorted branch names, no coordinate when there is one
/// branch) followed by every branch's coordinates in name order. Only the selected branch's coordinates are
/// read when decoding, so the encoding keeps a fixed length, which evolutionary tuners need.
/// </remarks>
public sealed class ConditionalChoice : HyperparameterDomain
{
    private readonly SortedDictionary<string, HyperparameterSpace> _branches;
    private readonly ChoiceDomain _selector;
    private readonly string[] _names;
    private readonly int[] _offsets;

    /// <summary>Creates a conditional choice.</summary>
    /// <param name="branches">Branch names and their sub-spaces; at least one, names unique.</param>
    /// <param name="defaultBranch">The default branch; the first name in ordinal order when null.</param>
    /// <param name="name">Parameter name used in error messages.</param>
    public ConditionalChoice(IEnumerable<KeyValuePair<string, HyperparameterSpace>> branches, string? defaultBranch = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var what = name is null ? "conditional choice" : $"parameter '{name}'";
        _branches = new SortedDictionary<string, HyperparameterSpace>(StringComparer.Ordinal);
        foreach (var (branch, space) in branches)
        {
            if (string.IsNullOrWhiteSpace(branch))
            {
                throw new ArgumentException($"Invalid {what}: a branch name is empty.", name);
            }

            if (!_branches.TryAdd(branch, space ?? throw new ArgumentNullException(branch)))
            {
                throw new ArgumentException($"Invalid {what}: the branch '{branch}' appears more than once.", name);
            }
        }

        if (_branches.Count == 0)
        {
            throw new ArgumentException($"Invalid {what}: a conditional choice needs at least one branch.", name);
        }

        _names = _branches.Keys.ToArray();
        _selector = new ChoiceDomain(_names, defaultBranch, name);
        _offsets = new int[_names.Length + 1];
        _offsets[0] = _selector.Dimension;
        for (var i = 0; i < _names.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + _branches[_names[i]].Dimension;
        }
    }

    /// <summary>The branches by name, in ordinal order.</summary>
    public IReadOnlyDictionary<string, HyperparameterSpace> Branches => _branches;

    /// <summary>The default branch.</summary>
    public string DefaultBranch => (string)_selector.DefaultValue;

    /// <summary>The selector over branch names.</summary>
    public ChoiceDomain Selector => _selector;

    /// <inheritdoc/>
    public override int Dimension => _offsets[^1];

    /// <inheritdoc/>
    public override object DefaultValue => new BranchSelection(DefaultBranch, _branches[DefaultBranch].Defaults);

    /// <inheritdoc/>
    public override string Kind => "conditional";

    /// <summary>Coordinate offset of a branch's sub-space within this domain's encoding.</summary>
    public int OffsetOf(string branch) => _offsets[IndexOfBranch(branch)];

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<double> coordinates)
    {
        CheckLength(coordinates.Length);
        var branch = (string)_selector.Decode(coordinates[.._selector.Dimension]);
        var i = IndexOfBranch(branch);
        return new BranchSelection(branch, _branches[branch].DecodeParameters(coordinates[_offsets[i].._offsets[i + 1]]));
    }

    /// <inheritdoc/>
    public override void Encode(object? value, Span<double> coordinates)
    {
        CheckLength(coordinates.Length);
        if (value is not BranchSelection selection || !_branches.ContainsKey(selection.Branch))
        {
            throw new ArgumentException($"'{value}' is not a selection of one of the branches [{string.Join(", ", _names)}].");
        }

        _selector.Encode(selection.Branch, coordinates[.._selector.Dimension]);
        for (var i = 0; i < _names.Length; i++)
        {
            // Inactive branches carry their defaults, so equal selections encode equally.
            var parameters = _names[i] == selection.Branch ? selection.Parameters : _branches[_names[i]].Defaults;
            _branches[_names[i]].Encode(parameters, coordinates[_offsets[i].._offsets[i + 1]]);
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<object?> GridValues(int stepsPerRange) =>
        _names.SelectMany(name => _branches[name].GridValues(stepsPerRange).Select(p => (object?)new BranchSelection(name, (TrialParameters)p!)));

    /// <inheritdoc/>
    public override bool Contains(object? value) =>
        value is BranchSelection s && _branches.TryGetValue(s.Branch, out var space) && space.Contains(s.Parameters);

    private int IndexOfBranch(string branch)
    {
        var i = Array.BinarySearch(_names, branch, StringComparer.Ordinal);
        return i >= 0 ? i : throw new ArgumentException($"Unknown branch '{branch}'. Known: {string.Join(", ", _names)}.");
    }

    private void CheckLength(int length)
    {
        if (length != Dimension)
        {
            throw new ArgumentException($"This conditional choice takes {Dimension} coordinate(s), got {length}.");
        }
    }

    internal override JsonObject ToJson()
    {
        var branches = new JsonObject();
        foreach (var name in _names)
        {
            branches[name] = _branches[name].ToJson()["parameters"]!.DeepClone();
        }

        var json = new JsonObject { ["type"] = "conditional", ["branches"] = branches };
        if (_selector.HasExplicitDefault)
        {
            json["default"] = DefaultBranch;
        }

        return json;
    }

    internal override object? ValueFromJson(JsonNode? node, string path)
    {
        if (node is not JsonObject obj || obj["$branch"] is not JsonValue b || !b.TryGetValue(out string? branch))
        {
            throw new FormatException($"Parameter '{path}': expected {{\"$branch\": name, \"$parameters\": {{...}}}}, got {node?.ToJsonString() ?? "null"}.");
        }

        if (!_branches.TryGetValue(branch, out var space))
        {
            throw new FormatException($"Parameter '{path}': unknown branch '{branch}'. Known: {string.Join(", ", _names)}.");
        }

        var parameters = (TrialParameters)space.ValueFromJson(obj["$parameters"] ?? new JsonObject(), $"{path}.{branch}")!;
        return new BranchSelection(branch, parameters);
    }

    internal override JsonNode? ValueToJson(object? value)
    {
        var selection = (BranchSelection)value!;
        return new JsonObject
        {
            ["$branch"] = selection.Branch,
            ["$parameters"] = _branches[selection.Branch].ValueToJson(selection.Parameters),
        };
    }
}

/// <summary>The value of a <see cref="ConditionalChoice"/>: the chosen branch and its parameters.</summary>
/// <param name="Branch">The branch name.</param>
/// <param name="Parameters">The parameters of the branch's sub-space.</param>
public sealed record BranchSelection(string Branch, TrialParameters Parameters)
{
    /// <inheritdoc/>
    public override string ToString() => Parameters.Count == 0 ? Branch : $"{Branch}{Parameters}";
}
