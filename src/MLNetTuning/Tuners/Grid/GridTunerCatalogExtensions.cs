using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds grid search to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class GridTunerCatalogExtensions
{
    /// <summary>Grid search; see <see cref="GridTuner"/>. The options are copied: later changes to them do not
    /// reach the factory.</summary>
    public static TunerFactory Grid(this TunerCatalog catalog, GridTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone();
        return new TunerFactory("grid", (space, _) => new GridTuner(space, copy));
    }
}
