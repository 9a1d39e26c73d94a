using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// The set of values one hyperparameter may take, with its encoding to the unit cube used by tuners.
/// </summary>
/// <remarks>
/// The encoding follows ML.NET AutoML's feature space so that an AutoML tuner can be bridged in later:
/// numeric ranges map min-max (or log) to [0, 1], integers are floored, a choice of n values maps its
/// sorted index i to i/n, and a choice with a single value takes no dimension.
/// </remarks>
public abstract class HyperparameterDomain
{
    private protected HyperparameterDomain()
    {
    }

    /// <summary>Number of unit-cube coordinates this domain takes.</summary>
    public abstract int Dimension { get; }

    /// <summary>The value used when nothing else is known (also the value of the defaults instance).</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>Kind name used in JSON and in messages.</summary>
    public abstract string Kind { get; }

    /// <summary>Maps unit-cube coordinates (each in [0, 1]) to a value of this domain.</summary>
    public abstract object? Decode(ReadOnlySpan<double> coordinates);

    /// <summary>Maps a value of this domain to its unit-cube coordinates.</summary>
    /// <exception cref="ArgumentException">The value does not belong to the domain.</exception>
    public abstract void Encode(object? value, Span<double> coordinates);

    /// <summary>The finite set of values a grid search visits, <paramref name="stepsPerRange"/> points per numeric range.</summary>
    public abstract IEnumerable<object?> GridValues(int stepsPerRange);

    /// <summary>Whether <paramref name="value"/> belongs to the domain.</summary>
    public abstract bool Contains(object? value);

    /// <summary>Writes the domain as JSON.</summary>
    internal abstract JsonObject ToJson();

    /// <summary>Reads a JSON value (already parsed) as a value of this domain.</summary>
    internal abstract object? ValueFromJson(JsonNode? node, string path);

    /// <summary>Writes a value of this domain as JSON.</summary>
    internal abstract JsonNode? ValueToJson(object? value);

    /// <summary>Encodes the domain's default value.</summary>
    public double[] EncodeDefault()
    {
        var coordinates = new double[Dimension];
        Encode(DefaultValue, coordinates);
        return coordinates;
    }
}
