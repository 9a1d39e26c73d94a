using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds population-based training to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class PbtTunerCatalogExtensions
{
    /// <summary>Population-based training; see <see cref="PbtTuner"/>.</summary>
    public static TunerFactory Pbt(this TunerCatalog catalog, PbtTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TunerFactory("pbt", (space, seed) => new PbtTuner(space, options, seed));
    }
}
