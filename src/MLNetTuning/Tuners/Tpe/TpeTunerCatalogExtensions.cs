using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the TPE tuner to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class TpeTunerCatalogExtensions
{
    /// <summary>Tree-structured Parzen estimator (Bayesian) search; named "tpe", or "tpe-mv" when multivariate.</summary>
    public static TunerFactory Tpe(this TunerCatalog catalog, TpeTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone() ?? new TpeTunerOptions();
        return new TunerFactory(copy.Multivariate ? "tpe-mv" : "tpe", (space, seed) => new TpeTuner(space, copy, seed));
    }
}
