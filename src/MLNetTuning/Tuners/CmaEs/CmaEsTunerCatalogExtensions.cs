using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds CMA-ES to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class CmaEsTunerCatalogExtensions
{
    /// <summary>CMA-ES with IPOP restarts; see <see cref="CmaEsTuner"/>.</summary>
    /// <param name="catalog">The tuner catalog.</param>
    /// <param name="options">Options; Hansen's defaults when null. Copied: later changes to them do not reach the factory.</param>
    public static TunerFactory CmaEs(this TunerCatalog catalog, CmaEsTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone();
        return new TunerFactory("cmaes", (space, seed) => new CmaEsTuner(space, copy, seed));
    }
}
