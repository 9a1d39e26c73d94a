using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds successive halving to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class SuccessiveHalvingTunerCatalogExtensions
{
    /// <summary>Successive halving over the budget range of <paramref name="options"/>; see <see cref="SuccessiveHalvingTuner"/>.
    /// The options are copied: later changes to them do not reach the factory.</summary>
    public static TunerFactory SuccessiveHalving(this TunerCatalog catalog, SuccessiveHalvingTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options?.ValidateRange();
        var copy = options?.Clone<SuccessiveHalvingTunerOptions>();
        return new TunerFactory("successive-halving", (space, seed) => new SuccessiveHalvingTuner(space, copy, seed));
    }
}
