using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds Hyperband to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class HyperbandCatalogExtensions
{
    /// <summary>Hyperband over the budget range of <paramref name="options"/>; see <see cref="HyperbandTuner"/>.</summary>
    public static TunerFactory Hyperband(this TunerCatalog catalog, HyperbandTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        return new TunerFactory("hyperband", (space, seed) => new HyperbandTuner(space, options, seed));
    }
}
