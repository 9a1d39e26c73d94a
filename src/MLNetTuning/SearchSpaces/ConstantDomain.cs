using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>A hyperparameter that is not searched: it always takes one value and no coordinate.</summary>
public sealed class ConstantDomain : HyperparameterDomain
{
    /// <summary>Creates a constant of a string, number, boolean or enum value.</summary>
    public ConstantDomain(object value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ChoiceDomain.IsSupportedType(value.GetType()))
        {
            throw new ArgumentException($"Invalid parameter '{name}': constants of type {value.GetType().Name} are not supported; use strings, numbers, booleans or enums.", name);
        }

        Value = value;
    }

    /// <summary>The value.</summary>
    public object Value { get; }

    /// <inheritdoc/>
    public override int Dimension => 0;

    /// <inheritdoc/>
    public override object DefaultValue => Value;

    /// <inheritdoc/>
    public override string Kind => "constant";

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<double> coordinates) => Value;

    /// <inheritdoc/>
    public override void Encode(object? value, Span<double> coordinates)
    {
        if (!Contains(value))
        {
            throw new ArgumentException($"Value '{value}' differs from the constant '{Value}'.");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<object?> GridValues(int stepsPerRange) => [Value];

    /// <inheritdoc/>
    public override bool Contains(object? value) => AsChoice().Contains(value);

    private ChoiceDomain AsChoice() => new([Value]);

    internal override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = "constant", ["value"] = AsChoice().ValueToJson(Value) };
        if (Value is Enum)
        {
            json["enum"] = ChoiceDomain.EnumTypeName(Value.GetType());
        }

        return json;
    }

    internal override object? ValueFromJson(JsonNode? node, string path) => AsChoice().ValueFromJson(node, path);

    internal override JsonNode? ValueToJson(object? value) => AsChoice().ValueToJson(value);
}
