using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the TPE tuner to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class TpeTunerCatalogExtensions
{
    /// <summary>Tree-structured Parzen estimator (Bayesian) search. Named "tpe" for joint kernels with
    /// neighbour bandwidths (the default), "tpe-mv" for Optuna's multivariate rule and "tpe-univariate" for
    /// Optuna's independent sampling.</summary>
    public static TunerFactory Tpe(this TunerCatalog catalog, TpeTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone() ?? new TpeTunerOptions();
        var name = !copy.Multivariate ? "tpe-univariate" : copy.MultivariateBandwidth == TpeBandwidth.Scott ? "tpe-mv" : "tpe";
        return new TunerFactory(name, (space, seed) => new TpeTuner(space, copy, seed));
    }
}
