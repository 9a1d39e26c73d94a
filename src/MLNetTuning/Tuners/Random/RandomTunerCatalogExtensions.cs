using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds random search to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class RandomTunerCatalogExtensions
{
    /// <summary>Random search; see <see cref="RandomTuner"/>. The options are copied: later changes to them do
    /// not reach the factory.</summary>
    public static TunerFactory Random(this TunerCatalog catalog, RandomTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone();
        return new TunerFactory("random", (space, seed) => new RandomTuner(space, copy, seed));
    }
}
