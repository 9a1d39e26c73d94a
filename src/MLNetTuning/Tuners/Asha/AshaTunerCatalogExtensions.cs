using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds ASHA to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class AshaTunerCatalogExtensions
{
    /// <summary>Asynchronous successive halving; see <see cref="AshaTuner"/> and <see cref="AshaMode"/>.
    /// The options are copied: later changes to them do not reach the factory.</summary>
    public static TunerFactory Asha(this TunerCatalog catalog, AshaTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        var copy = options?.Clone<AshaTunerOptions>();
        return new TunerFactory(copy?.Mode == AshaMode.Stopping ? "asha-stopping" : "asha", (space, seed) => new AshaTuner(space, copy, seed));
    }
}
