using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the Gaussian-process tuner to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class GaussianProcessTunerCatalogExtensions
{
    /// <summary>Bayesian optimisation with a Gaussian process and log expected improvement, named "gp": the
    /// strongest tuner for small budgets (tens of trials) on mostly numeric spaces.</summary>
    public static TunerFactory GaussianProcess(this TunerCatalog catalog, GaussianProcessTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone() ?? new GaussianProcessTunerOptions();
        return new TunerFactory("gp", (space, seed) => new GaussianProcessTuner(space, copy, seed));
    }
}
