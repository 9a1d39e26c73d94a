using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds BOHB to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class BohbTunerCatalogExtensions
{
    /// <summary>BOHB: Hyperband with model-based proposals; see <see cref="BohbTuner"/>.
    /// The options are copied: later changes to them do not reach the factory.</summary>
    public static TunerFactory Bohb(this TunerCatalog catalog, BohbTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        var copy = options?.Clone<BohbTunerOptions>();
        return new TunerFactory("bohb", (space, seed) => new BohbTuner(space, copy, seed));
    }
}
