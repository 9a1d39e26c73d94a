using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the TPE tuner to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class TpeTunerCatalogExtensions
{
    /// <summary>Tree-structured Parzen estimator (Bayesian) search. Named "tpe-univariate" for Optuna's
    /// independent sampling (<c>Multivariate = false</c>), "tpe-mv" for Optuna's multivariate rule (both
    /// bandwidths <see cref="TpeBandwidth.Scott"/>), "tpe" otherwise (the default).</summary>
    public static TunerFactory Tpe(this TunerCatalog catalog, TpeTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone() ?? new TpeTunerOptions();
        var name = !copy.Multivariate ? "tpe-univariate"
            : copy.GoodBandwidth == TpeBandwidth.Scott && copy.BadBandwidth == TpeBandwidth.Scott ? "tpe-mv"
            : "tpe";
        return new TunerFactory(name, (space, seed) => new TpeTuner(space, copy, seed));
    }
}
