using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace MLNetTuning.Pipelines.Presets;

/// <summary>Shared plumbing of the preset catalogs.</summary>
public abstract class TrainerPresetsBase
{
    private protected TrainerPresetsBase()
    {
    }

    private protected static TunableEstimator Make<TSearch>(string name, TSearch? options, string label, string features, string? weight, Func<MLContext, TSearch, IEstimator<ITransformer>> build)
        where TSearch : TrainerColumns, new()
    {
        var defaults = options ?? new TSearch { LabelColumnName = label, FeatureColumnName = features, ExampleWeightColumnName = weight };
        return PresetBudgets.Declare(TunableEstimator.FromOptions(name, build, defaults), defaults);
    }

    private protected static T Tree<T>(T o, FastTreeSearchOptions s)
        where T : BoostedTreeOptions
    {
        Columns(o, s);
        o.NumberOfLeaves = s.NumberOfLeaves;
        o.NumberOfTrees = s.NumberOfTrees;
        o.MinimumExampleCountPerLeaf = s.MinimumExampleCountPerLeaf;
        o.LearningRate = s.LearningRate;
        o.FeatureFraction = s.FeatureFraction;
        o.MaximumBinCountPerFeature = s.MaximumBinCountPerFeature;
        return o;
    }

    private protected static T Forest<T>(T o, FastForestSearchOptions s)
        where T : TreeOptions
    {
        Columns(o, s);
        o.NumberOfLeaves = s.NumberOfLeaves;
        o.NumberOfTrees = s.NumberOfTrees;
        o.MinimumExampleCountPerLeaf = s.MinimumExampleCountPerLeaf;
        o.FeatureFraction = s.FeatureFraction;
        o.BaggingExampleFraction = s.BaggingExampleFraction;
        return o;
    }

    // ML.NET nests each trainer family's options base in a generic trainer base, and SDCA's binary and multiclass
    // options sit one class below it, so no single signature both fills the base and hands back the concrete
    // options; the Fill* helpers fill the base and Tuned returns the concrete options the catalog method needs.
    private protected static TOptions Tuned<TOptions>(TOptions options, Action<TOptions> fill)
    {
        fill(options);
        return options;
    }

    private protected static void FillLightGbm<TOptions, TOutput, TTransformer, TModel>(LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase o, LightGbmSearchOptions s)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        Columns(o, s);
        o.NumberOfLeaves = s.NumberOfLeaves;
        o.NumberOfIterations = s.NumberOfIterations;
        o.MinimumExampleCountPerLeaf = s.MinimumExampleCountPerLeaf;
        o.LearningRate = s.LearningRate;
        o.Booster = new GradientBooster.Options { FeatureFraction = s.FeatureFraction, L2Regularization = s.L2Regularization };
    }

    private protected static void FillSdca<TOptions, TTransformer, TModel>(SdcaTrainerBase<TOptions, TTransformer, TModel>.OptionsBase o, SdcaSearchOptions s)
        where TOptions : SdcaTrainerBase<TOptions, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        Columns(o, s);
        o.L2Regularization = s.L2Regularization;
        o.L1Regularization = s.L1Regularization;
    }

    private protected static void FillLbfgs<TOptions, TTransformer, TModel>(LbfgsTrainerBase<TOptions, TTransformer, TModel>.OptionsBase o, LbfgsSearchOptions s)
        where TOptions : LbfgsTrainerBase<TOptions, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        Columns(o, s);
        o.L2Regularization = s.L2Regularization;
        o.L1Regularization = s.L1Regularization;
        o.OptimizationTolerance = s.OptimizationTolerance;
        o.HistorySize = s.HistorySize;
    }

    private static void Columns(TrainerInputBaseWithWeight o, TrainerColumns s)
    {
        o.LabelColumnName = s.LabelColumnName;
        o.FeatureColumnName = s.FeatureColumnName;
        o.ExampleWeightColumnName = s.ExampleWeightColumnName;
    }
}

/// <summary>Tunable binary-classification trainers with documented ranges; reach it as <c>mlContext.Tuning().BinaryClassification</c>.</summary>
public sealed partial class BinaryClassificationPresets : TrainerPresetsBase
{
    internal BinaryClassificationPresets()
    {
    }

    /// <summary>FastTree (boosted trees); see <see cref="FastTreeSearchOptions"/>.</summary>
    public TunableEstimator FastTree(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastTreeSearchOptions? options = null) =>
        Make("FastTree", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.BinaryClassification.Trainers.FastTree(Tree(new FastTreeBinaryTrainer.Options(), s)));

    /// <summary>FastForest (random forest); see <see cref="FastForestSearchOptions"/>.</summary>
    public TunableEstimator FastForest(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastForestSearchOptions? options = null) =>
        Make("FastForest", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.BinaryClassification.Trainers.FastForest(Forest(new FastForestBinaryTrainer.Options(), s)));

    /// <summary>LightGBM; see <see cref="LightGbmSearchOptions"/>.</summary>
    public TunableEstimator LightGbm(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LightGbmSearchOptions? options = null) =>
        Make("LightGbm", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.BinaryClassification.Trainers.LightGbm(Tuned(new LightGbmBinaryTrainer.Options(), o => FillLightGbm(o, s))));

    /// <summary>SDCA logistic regression (linear); see <see cref="SdcaSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator SdcaLogisticRegression(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, SdcaSearchOptions? options = null) =>
        Make("SdcaLogisticRegression", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.BinaryClassification.Trainers.SdcaLogisticRegression(Tuned(new SdcaLogisticRegressionBinaryTrainer.Options(), o => FillSdca(o, s))));

    /// <summary>L-BFGS logistic regression (linear); see <see cref="LbfgsSearchOptions"/>.</summary>
    public TunableEstimator LbfgsLogisticRegression(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LbfgsSearchOptions? options = null) =>
        Make("LbfgsLogisticRegression", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.BinaryClassification.Trainers.LbfgsLogisticRegression(Tuned(new LbfgsLogisticRegressionBinaryTrainer.Options(), o => FillLbfgs(o, s))));

    /// <summary>All five presets, for a trainer choice.</summary>
    public TunableEstimator[] All(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null) =>
    [
        FastTree(labelColumnName, featureColumnName, exampleWeightColumnName),
        FastForest(labelColumnName, featureColumnName, exampleWeightColumnName),
        LightGbm(labelColumnName, featureColumnName, exampleWeightColumnName),
        SdcaLogisticRegression(labelColumnName, featureColumnName, exampleWeightColumnName),
        LbfgsLogisticRegression(labelColumnName, featureColumnName, exampleWeightColumnName),
    ];
}

/// <summary>
/// Tunable multiclass trainers; reach it as <c>mlContext.Tuning().MulticlassClassification</c>. The label must
/// be a key (use <c>MapValueToKey</c>). FastTree and FastForest run one-versus-all.
/// </summary>
public sealed class MulticlassClassificationPresets : TrainerPresetsBase
{
    internal MulticlassClassificationPresets()
    {
    }

    /// <summary>One-versus-all FastTree; see <see cref="FastTreeSearchOptions"/>.</summary>
    public TunableEstimator FastTree(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastTreeSearchOptions? options = null) =>
        Make("FastTree", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.MulticlassClassification.Trainers.OneVersusAll(
            c.BinaryClassification.Trainers.FastTree(Tree(new FastTreeBinaryTrainer.Options(), s)), s.LabelColumnName));

    /// <summary>One-versus-all FastForest; see <see cref="FastForestSearchOptions"/>.</summary>
    public TunableEstimator FastForest(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastForestSearchOptions? options = null) =>
        Make("FastForest", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.MulticlassClassification.Trainers.OneVersusAll(
            c.BinaryClassification.Trainers.FastForest(Forest(new FastForestBinaryTrainer.Options(), s)), s.LabelColumnName));

    /// <summary>LightGBM; see <see cref="LightGbmSearchOptions"/>.</summary>
    public TunableEstimator LightGbm(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LightGbmSearchOptions? options = null) =>
        Make("LightGbm", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.MulticlassClassification.Trainers.LightGbm(Tuned(new LightGbmMulticlassTrainer.Options(), o => FillLightGbm(o, s))));

    /// <summary>SDCA maximum entropy (linear); see <see cref="SdcaSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator SdcaMaximumEntropy(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, SdcaSearchOptions? options = null) =>
        Make("SdcaMaximumEntropy", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.MulticlassClassification.Trainers.SdcaMaximumEntropy(Tuned(new SdcaMaximumEntropyMulticlassTrainer.Options(), o => FillSdca(o, s))));

    /// <summary>L-BFGS maximum entropy (multinomial logistic regression); see <see cref="LbfgsSearchOptions"/>.</summary>
    public TunableEstimator LbfgsMaximumEntropy(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LbfgsSearchOptions? options = null) =>
        Make("LbfgsMaximumEntropy", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.MulticlassClassification.Trainers.LbfgsMaximumEntropy(Tuned(new LbfgsMaximumEntropyMulticlassTrainer.Options(), o => FillLbfgs(o, s))));

    /// <summary>All five presets, for a trainer choice.</summary>
    public TunableEstimator[] All(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null) =>
    [
        FastTree(labelColumnName, featureColumnName, exampleWeightColumnName),
        FastForest(labelColumnName, featureColumnName, exampleWeightColumnName),
        LightGbm(labelColumnName, featureColumnName, exampleWeightColumnName),
        SdcaMaximumEntropy(labelColumnName, featureColumnName, exampleWeightColumnName),
        LbfgsMaximumEntropy(labelColumnName, featureColumnName, exampleWeightColumnName),
    ];
}

/// <summary>Tunable regression trainers; reach it as <c>mlContext.Tuning().Regression</c>. The label is a Single.</summary>
public sealed partial class RegressionPresets : TrainerPresetsBase
{
    internal RegressionPresets()
    {
    }

    /// <summary>FastTree; see <see cref="FastTreeSearchOptions"/>.</summary>
    public TunableEstimator FastTree(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastTreeSearchOptions? options = null) =>
        Make("FastTree", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.Regression.Trainers.FastTree(Tree(new FastTreeRegressionTrainer.Options(), s)));

    /// <summary>FastForest; see <see cref="FastForestSearchOptions"/>.</summary>
    public TunableEstimator FastForest(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, FastForestSearchOptions? options = null) =>
        Make("FastForest", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.Regression.Trainers.FastForest(Forest(new FastForestRegressionTrainer.Options(), s)));

    /// <summary>LightGBM; see <see cref="LightGbmSearchOptions"/>.</summary>
    public TunableEstimator LightGbm(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LightGbmSearchOptions? options = null) =>
        Make("LightGbm", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.Regression.Trainers.LightGbm(Tuned(new LightGbmRegressionTrainer.Options(), o => FillLightGbm(o, s))));

    /// <summary>SDCA linear regression; see <see cref="SdcaSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator Sdca(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, SdcaSearchOptions? options = null) =>
        Make("Sdca", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.Regression.Trainers.Sdca(Tuned(new SdcaRegressionTrainer.Options(), o => FillSdca(o, s))));

    /// <summary>L-BFGS Poisson regression, for non-negative counts; see <see cref="LbfgsSearchOptions"/>. ML.NET's
    /// trainer throws on a label below 0, so an experiment refuses such training data before the first trial.</summary>
    public TunableEstimator LbfgsPoissonRegression(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, LbfgsSearchOptions? options = null) =>
        Make("LbfgsPoissonRegression", options, labelColumnName, featureColumnName, exampleWeightColumnName, (c, s) => c.Regression.Trainers.LbfgsPoissonRegression(Tuned(new LbfgsPoissonRegressionTrainer.Options(), o => FillLbfgs(o, s)))).RequiringNonNegativeLabels();

    /// <summary>All five presets, for a trainer choice.</summary>
    public TunableEstimator[] All(string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null) =>
    [
        FastTree(labelColumnName, featureColumnName, exampleWeightColumnName),
        FastForest(labelColumnName, featureColumnName, exampleWeightColumnName),
        LightGbm(labelColumnName, featureColumnName, exampleWeightColumnName),
        Sdca(labelColumnName, featureColumnName, exampleWeightColumnName),
        LbfgsPoissonRegression(labelColumnName, featureColumnName, exampleWeightColumnName),
    ];
}
