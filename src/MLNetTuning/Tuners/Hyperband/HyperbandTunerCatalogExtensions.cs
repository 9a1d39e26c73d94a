using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds Hyperband to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class HyperbandTunerCatalogExtensions
{
    /// <summary>Hyperband over the budget range of <paramref name="options"/>; see <see cref="HyperbandTuner"/>.
    /// The options are copied: later changes to them do not reach the factory.</summary>
    public static TunerFactory Hyperband(this TunerCatalog catalog, HyperbandTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        var copy = options?.Clone<HyperbandTunerOptions>();
        return new TunerFactory("hyperband", (space, seed) => new HyperbandTuner(space, copy, seed));
    }
}
