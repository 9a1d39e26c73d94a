namespace MLNetTuning.SearchSpaces;

/// <summary>Builds a <see cref="HyperparameterSpace"/> fluently.</summary>
/// <example>
/// <code>
/// var space = HyperparameterSpace.CreateBuilder()
///     .Double("LearningRate", 1e-4, 1, logScale: true, defaultValue: 0.1)
///     .Int("NumberOfLeaves", 4, 1024, logScale: true)
///     .Choice("Booster", "gbdt", "dart")
///     .Boolean("UseBias")
///     .Build();
/// </code>
/// </example>
public sealed class HyperparameterSpaceBuilder
{
    private readonly List<KeyValuePair<string, HyperparameterDomain>> _members = [];

    /// <summary>Adds a <see cref="double"/> range.</summary>
    public HyperparameterSpaceBuilder Double(string name, double min, double max, bool logScale = false, double? defaultValue = null) =>
        Add(name, new NumericRange(NumericType.Double, min, max, logScale, defaultValue, name));

    /// <summary>Adds a <see cref="float"/> range.</summary>
    public HyperparameterSpaceBuilder Float(string name, float min, float max, bool logScale = false, float? defaultValue = null) =>
        Add(name, new NumericRange(NumericType.Single, min, max, logScale, defaultValue, name));

    /// <summary>Adds an <see cref="int"/> range (inclusive bounds).</summary>
    public HyperparameterSpaceBuilder Int(string name, int min, int max, bool logScale = false, int? defaultValue = null) =>
        Add(name, new NumericRange(NumericType.Int32, min, max, logScale, defaultValue, name));

    /// <summary>Adds a choice among values of one type (strings, numbers, booleans or one enum's members).</summary>
    public HyperparameterSpaceBuilder Choice(string name, params object[] values) => Add(name, new ChoiceDomain(values, null, name));

    /// <summary>Adds a choice with a default value.</summary>
    public HyperparameterSpaceBuilder Choice<T>(string name, IEnumerable<T> values, T defaultValue)
        where T : notnull => Add(name, new ChoiceDomain(values.Cast<object>(), defaultValue, name));

    /// <summary>Adds a choice over every member of an enum.</summary>
    public HyperparameterSpaceBuilder Enum<TEnum>(string name, TEnum? defaultValue = null)
        where TEnum : struct, System.Enum => Add(name, new ChoiceDomain(System.Enum.GetValues<TEnum>().Cast<object>(), defaultValue, name));

    /// <summary>Adds a boolean.</summary>
    public HyperparameterSpaceBuilder Boolean(string name, bool defaultValue = false) => Add(name, new ChoiceDomain([false, true], defaultValue, name));

    /// <summary>Adds a constant that every proposal carries.</summary>
    public HyperparameterSpaceBuilder Constant(string name, object value) => Add(name, new ConstantDomain(value, name));

    /// <summary>Adds a nested space.</summary>
    public HyperparameterSpaceBuilder Nested(string name, HyperparameterSpace space) => Add(name, space);

    /// <summary>Adds a nested space built inline.</summary>
    public HyperparameterSpaceBuilder Nested(string name, Action<HyperparameterSpaceBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var inner = new HyperparameterSpaceBuilder();
        build(inner);
        return Add(name, inner.Build());
    }

    /// <summary>Adds a conditional choice: each branch name carries its own sub-space.</summary>
    /// <example><c>.Conditional("Trainer", b => b.Branch("FastTree", s => s.Int("Leaves", 4, 64)).Branch("Sdca"))</c></example>
    public HyperparameterSpaceBuilder Conditional(string name, Action<ConditionalChoiceBuilder> build, string? defaultBranch = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        var branches = new ConditionalChoiceBuilder();
        build(branches);
        return Add(name, new ConditionalChoice(branches.Branches, defaultBranch, name));
    }

    /// <summary>Adds any domain.</summary>
    public HyperparameterSpaceBuilder Add(string name, HyperparameterDomain domain)
    {
        HyperparameterSpace.ValidateName(name);
        ArgumentNullException.ThrowIfNull(domain);
        if (_members.Any(m => m.Key == name))
        {
            throw new ArgumentException($"Invalid search space: the parameter name '{name}' is used twice.", nameof(name));
        }

        _members.Add(new(name, domain));
        return this;
    }

    /// <summary>Creates the space.</summary>
    public HyperparameterSpace Build() => new(_members);
}

/// <summary>Collects the branches of a <see cref="ConditionalChoice"/>.</summary>
public sealed class ConditionalChoiceBuilder
{
    internal List<KeyValuePair<string, HyperparameterSpace>> Branches { get; } = [];

    /// <summary>Adds a branch with its sub-space (empty when <paramref name="build"/> is null).</summary>
    public ConditionalChoiceBuilder Branch(string name, Action<HyperparameterSpaceBuilder>? build = null)
    {
        var inner = new HyperparameterSpaceBuilder();
        build?.Invoke(inner);
        Branches.Add(new(name, inner.Build()));
        return this;
    }

    /// <summary>Adds a branch with a ready sub-space.</summary>
    public ConditionalChoiceBuilder Branch(string name, HyperparameterSpace space)
    {
        Branches.Add(new(name, space));
        return this;
    }
}
