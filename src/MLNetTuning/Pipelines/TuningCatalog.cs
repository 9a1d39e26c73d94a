using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetTuning.Pipelines.Presets;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>The entry point: <c>mlContext.Tuning()</c>.</summary>
public static class MLContextTuningExtensions
{
    /// <summary>Tuning operations of this context: tuners, trainer presets, studies and experiments. Seeds come from the context's seed.</summary>
    public static TuningCatalog Tuning(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new TuningCatalog(mlContext);
    }
}

/// <summary>Tuning operations hanging off an <see cref="MLContext"/>.</summary>
public sealed class TuningCatalog
{
    internal TuningCatalog(MLContext context)
    {
        Context = context;
    }

    /// <summary>The context.</summary>
    public MLContext Context { get; }

    /// <summary>Tuners to choose from.</summary>
    public TunerCatalog Tuners { get; } = new();

    /// <summary>Tunable binary-classification trainers.</summary>
    public BinaryClassificationPresets BinaryClassification { get; } = new();

    /// <summary>Tunable multiclass-classification trainers.</summary>
    public MulticlassClassificationPresets MulticlassClassification { get; } = new();

    /// <summary>Tunable regression trainers.</summary>
    public RegressionPresets Regression { get; } = new();

    /// <summary>A tunable estimator from a space and a factory.</summary>
    public TunableEstimator CreateTunableEstimator(string name, HyperparameterSpace space, Func<MLContext, TrialParameters, IEstimator<ITransformer>> factory) =>
        new(name, space, factory);

    /// <summary>A tunable estimator from an options class with ML.NET's search-space attributes.</summary>
    public TunableEstimator CreateTunableEstimator<TOptions>(string name, Func<MLContext, TOptions, IEstimator<ITransformer>> factory, TOptions? defaults = null)
        where TOptions : class, new() => TunableEstimator.FromOptions(name, factory, defaults);

    /// <summary>A study of any objective over <paramref name="space"/>, with the automatic tuner (<c>Tuners.Auto()</c>) unless <paramref name="tuner"/> says otherwise.</summary>
    /// <param name="space">The search space.</param>
    /// <param name="tuner">The tuner, from <see cref="Tuners"/>; the automatic tuner when null.</param>
    /// <param name="options">Name, direction, store and progress of the study. The study writes one line per
    /// ended trial to <c>MLContext.Log</c> (source <see cref="TuningStudy.LogSource"/>).</param>
    /// <param name="seed">The tuner's seed (a seed in the tuner's own options wins). When null, drawn from the
    /// context: reproducible for <c>new MLContext(seed)</c> and the same sequence of calls, but each
    /// <c>CreateStudy</c> on one context gets another seed.</param>
    public TuningStudy CreateStudy(HyperparameterSpace space, TunerFactory? tuner = null, TuningStudyOptions? options = null, int? seed = null) =>
        new TuningStudy((tuner ?? TunerCatalog.DefaultTuner).Create(space, seed ?? NextSeed()), options).LogTo(Context);

    /// <summary>A binary-classification experiment.</summary>
    public TuningExperiment CreateExperiment(TunablePipeline pipeline, BinaryTuningMetric metric = BinaryTuningMetric.AreaUnderRocCurve, string labelColumnName = "Label", TuningExperimentOptions? options = null) =>
        new(Context, pipeline, TuningMetric.For(metric), labelColumnName, options, NextSeed());

    /// <summary>A multiclass-classification experiment.</summary>
    public TuningExperiment CreateExperiment(TunablePipeline pipeline, MulticlassTuningMetric metric, string labelColumnName = "Label", TuningExperimentOptions? options = null) =>
        new(Context, pipeline, TuningMetric.For(metric), labelColumnName, options, NextSeed());

    /// <summary>A regression experiment.</summary>
    public TuningExperiment CreateExperiment(TunablePipeline pipeline, RegressionTuningMetric metric, string labelColumnName = "Label", TuningExperimentOptions? options = null) =>
        new(Context, pipeline, TuningMetric.For(metric), labelColumnName, options, NextSeed());

    /// <summary>Draws a seed from the context, so that <c>new MLContext(seed)</c> makes the run reproducible.</summary>
    private int NextSeed() => ((IHostEnvironment)Context).Register(nameof(MLNetTuning)).Rand.Next();
}
