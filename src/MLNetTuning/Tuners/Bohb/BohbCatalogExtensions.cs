using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds BOHB to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class BohbCatalogExtensions
{
    /// <summary>BOHB: Hyperband with model-based proposals; see <see cref="BohbTuner"/>.</summary>
    public static TunerFactory Bohb(this TunerCatalog catalog, BohbTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        return new TunerFactory("bohb", (space, seed) => new BohbTuner(space, options, seed));
    }
}
