using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds CMA-ES to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class CmaEsTunerCatalogExtensions
{
    /// <summary>CMA-ES with IPOP restarts; see <see cref="CmaEsTuner"/>.</summary>
    /// <param name="catalog">The tuner catalog.</param>
    /// <param name="options">Options; Hansen's defaults when null.</param>
    public static TunerFactory CmaEs(this TunerCatalog catalog, CmaEsTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TunerFactory("cmaes", (space, seed) => new CmaEsTuner(space, options, seed));
    }
}
