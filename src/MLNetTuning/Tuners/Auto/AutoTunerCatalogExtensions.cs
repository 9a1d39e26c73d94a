using MLNetTuning.Pipelines;

namespace MLNetTuning.Tuners;

/// <summary>Adds the automatic tuner to <c>mlContext.Tuning().Tuners</c>.</summary>
public static class AutoTunerCatalogExtensions
{
    /// <summary>Picks the tuner from the space and what is known of the run, named "auto"; the default of
    /// <c>CreateStudy</c>, <c>CreateExperiment</c> and the CLI. See <see cref="AutoTuner.Choose"/>.</summary>
    public static TunerFactory Auto(this TunerCatalog catalog, AutoTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var copy = options?.Clone() ?? new AutoTunerOptions();
        return new TunerFactory("auto", (space, seed) => AutoTuner.Create(space, copy, seed));
    }
}
