using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds population-based training to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class PbtTunerCatalogExtensions
{
    /// <summary>Population-based training; see <see cref="PbtTuner"/>. The options are copied: later changes to
    /// them do not reach the factory.</summary>
    public static TunerFactory Pbt(this TunerCatalog catalog, PbtTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone();
        return new TunerFactory("pbt", (space, seed) => new PbtTuner(space, copy, seed));
    }
}
