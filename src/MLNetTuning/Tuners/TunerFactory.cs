using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>
/// Creates a tuner for a space once the space is known, as experiments only learn it from their pipeline.
/// Get one from <c>mlContext.Tuning().Tuners</c>.
/// </summary>
public sealed class TunerFactory
{
    private readonly Func<HyperparameterSpace, int, IHyperparameterTuner> _create;

    /// <summary>Creates a factory.</summary>
    /// <param name="name">Short name (shown in results and the CLI).</param>
    /// <param name="create">Makes the tuner from the space and a seed (used when the tuner's options give none).</param>
    public TunerFactory(string name, Func<HyperparameterSpace, int, IHyperparameterTuner> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _create = create ?? throw new ArgumentNullException(nameof(create));
    }

    /// <summary>Short name.</summary>
    public string Name { get; }

    /// <summary>Creates the tuner.</summary>
    public IHyperparameterTuner Create(HyperparameterSpace space, int seed) => _create(space ?? throw new ArgumentNullException(nameof(space)), seed);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
