using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the genetic algorithm to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class GeneticTunerCatalogExtensions
{
    /// <summary>A steady-state genetic algorithm; see <see cref="GeneticTuner"/>.</summary>
    /// <param name="catalog">The tuner catalog.</param>
    /// <param name="options">Options; the documented defaults when null. Copied: later changes to them do not reach the factory.</param>
    public static TunerFactory Genetic(this TunerCatalog catalog, GeneticTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone();
        return new TunerFactory("ga", (space, seed) => new GeneticTuner(space, copy, seed));
    }
}
