using Microsoft.ML;

namespace MLNetTuning.Tuners;

/// <summary>
/// Tuners to hand to experiments and studies: <c>mlContext.Tuning().Tuners</c>, or <c>new TunerCatalog()</c> without
/// an <see cref="MLContext"/> (the catalog holds nothing). Every tuner is an extension method in
/// <c>MLNetTuning.Tuners</c>, in its own folder (<c>Tuners/Tpe/TpeTunerCatalogExtensions.cs</c>), so
/// <c>using MLNetTuning.Tuners;</c> brings every tuner and its options. Each method copies the options it is given.
/// </summary>
public sealed class TunerCatalog
{
    /// <summary>A catalog; the same as <c>mlContext.Tuning().Tuners</c>.</summary>
    public TunerCatalog()
    {
    }

    /// <summary>The default of studies, experiments and the CLI: <see cref="AutoTunerCatalogExtensions.Auto"/> with nothing known of the run.</summary>
    internal static TunerFactory DefaultTuner { get; } = new("auto", (space, seed) => AutoTuner.Create(space, new AutoTunerOptions(), seed));
}
