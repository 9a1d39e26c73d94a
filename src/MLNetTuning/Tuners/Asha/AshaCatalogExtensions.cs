using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds ASHA to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class AshaCatalogExtensions
{
    /// <summary>Asynchronous successive halving; see <see cref="AshaTuner"/> and <see cref="AshaMode"/>.</summary>
    public static TunerFactory Asha(this TunerCatalog catalog, AshaTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        return new TunerFactory(options?.Mode == AshaMode.Stopping ? "asha-stopping" : "asha", (space, seed) => new AshaTuner(space, options, seed));
    }
}
