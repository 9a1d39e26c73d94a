using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds successive halving to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class SuccessiveHalvingCatalogExtensions
{
    /// <summary>Successive halving over the budget range of <paramref name="options"/>; see <see cref="SuccessiveHalvingTuner"/>.</summary>
    public static TunerFactory SuccessiveHalving(this TunerCatalog catalog, SuccessiveHalvingTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        return new TunerFactory("successive-halving", (space, seed) => new SuccessiveHalvingTuner(space, options, seed));
    }
}
