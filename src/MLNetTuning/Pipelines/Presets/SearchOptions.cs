using Microsoft.ML.SearchSpace;

namespace MLNetTuning.Pipelines.Presets;

/// <summary>Columns every preset trainer reads; never searched.</summary>
public abstract class TrainerColumns
{
    /// <summary>Label column. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Feature vector column. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Optional example weight column.</summary>
    public string? ExampleWeightColumnName { get; set; }
}

/// <summary>FastTree's searched hyperparameters. Defaults equal ML.NET's FastTree defaults.</summary>
public sealed class FastTreeSearchOptions : TrainerColumns
{
    /// <summary>Leaves per tree, 4 to 1024 on a log scale; ML.NET's default 20.</summary>
    [Range(4, 1024, 20, true)]
    public int NumberOfLeaves { get; set; } = 20;

    /// <summary>Trees, 4 to 2000 on a log scale; ML.NET's default 100.</summary>
    [Range(4, 2000, 100, true)]
    public int NumberOfTrees { get; set; } = 100;

    /// <summary>Fewest examples in a leaf, 1 to 128 on a log scale; ML.NET's default 10.</summary>
    [Range(1, 128, 10, true)]
    public int MinimumExampleCountPerLeaf { get; set; } = 10;

    /// <summary>Learning rate, 0.001 to 1 on a log scale; ML.NET's default 0.2.</summary>
    [Range(0.001, 1.0, 0.2, true)]
    public double LearningRate { get; set; } = 0.2;

    /// <summary>Fraction of features each tree sees, 0.1 to 1; ML.NET's default 1.</summary>
    [Range(0.1, 1.0, 1.0)]
    public double FeatureFraction { get; set; } = 1;

    /// <summary>Bins per feature, 8 to 1023 on a log scale; ML.NET's default 255.</summary>
    [Range(8, 1023, 255, true)]
    public int MaximumBinCountPerFeature { get; set; } = 255;
}

/// <summary>FastForest's searched hyperparameters. Defaults equal ML.NET's FastForest defaults.</summary>
public sealed class FastForestSearchOptions : TrainerColumns
{
    /// <summary>Leaves per tree, 4 to 1024 on a log scale; ML.NET's default 20.</summary>
    [Range(4, 1024, 20, true)]
    public int NumberOfLeaves { get; set; } = 20;

    /// <summary>Trees, 4 to 2000 on a log scale; ML.NET's default 100.</summary>
    [Range(4, 2000, 100, true)]
    public int NumberOfTrees { get; set; } = 100;

    /// <summary>Fewest examples in a leaf, 1 to 128 on a log scale; ML.NET's default 10.</summary>
    [Range(1, 128, 10, true)]
    public int MinimumExampleCountPerLeaf { get; set; } = 10;

    /// <summary>Fraction of features each tree sees, 0.1 to 1; ML.NET's default 0.7.</summary>
    [Range(0.1, 1.0, 0.7)]
    public double FeatureFraction { get; set; } = 0.7;

    /// <summary>Fraction of rows each tree's bag takes, 0.1 to 1; ML.NET's default 0.7.</summary>
    [Range(0.1, 1.0, 0.7)]
    public double BaggingExampleFraction { get; set; } = 0.7;
}

/// <summary>
/// LightGBM's searched hyperparameters. ML.NET leaves learning rate, leaves and leaf size unset, and
/// LightGBM then uses its own defaults (0.1, 31, 20), which are the defaults here.
/// </summary>
public sealed class LightGbmSearchOptions : TrainerColumns
{
    /// <summary>Leaves per tree, 4 to 1024 on a log scale; LightGBM's default 31.</summary>
    [Range(4, 1024, 31, true)]
    public int NumberOfLeaves { get; set; } = 31;

    /// <summary>Boosting iterations, 4 to 2000 on a log scale; ML.NET's default 100.</summary>
    [Range(4, 2000, 100, true)]
    public int NumberOfIterations { get; set; } = 100;

    /// <summary>Fewest examples in a leaf, 1 to 128 on a log scale; LightGBM's default 20.</summary>
    [Range(1, 128, 20, true)]
    public int MinimumExampleCountPerLeaf { get; set; } = 20;

    /// <summary>Learning rate, 0.001 to 1 on a log scale; LightGBM's default 0.1.</summary>
    [Range(0.001, 1.0, 0.1, true)]
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Fraction of features per tree, 0.1 to 1; ML.NET's default 1.</summary>
    [Range(0.1, 1.0, 1.0)]
    public double FeatureFraction { get; set; } = 1;

    /// <summary>L2 regularization of leaf values, 1e-4 to 100 on a log scale; ML.NET's default 0.01.</summary>
    [Range(1e-4, 100.0, 0.01, true)]
    public double L2Regularization { get; set; } = 0.01;
}

/// <summary>
/// SDCA's searched hyperparameters. ML.NET picks L2 from the data when unset; the preset starts at 1e-4,
/// with no L1, which is ML.NET's choice for dense features.
/// </summary>
public sealed class SdcaSearchOptions : TrainerColumns
{
    /// <summary>L2 regularization, 1e-7 to 10 on a log scale; default 1e-4.</summary>
    [Range(1e-7, 10.0, 1e-4, true)]
    public float L2Regularization { get; set; } = 1e-4f;

    /// <summary>L1 regularization, 0 to 10; default 0.</summary>
    [Range(0f, 10f, 0f)]
    public float L1Regularization { get; set; }
}

/// <summary>L-BFGS's searched hyperparameters. Defaults equal ML.NET's L-BFGS defaults.</summary>
public sealed class LbfgsSearchOptions : TrainerColumns
{
    /// <summary>L2 regularization, 1e-3 to 100 on a log scale; ML.NET's default 1.</summary>
    [Range(1e-3f, 100f, 1f, true)]
    public float L2Regularization { get; set; } = 1;

    /// <summary>L1 regularization, 1e-3 to 100 on a log scale; ML.NET's default 1.</summary>
    [Range(1e-3f, 100f, 1f, true)]
    public float L1Regularization { get; set; } = 1;

    /// <summary>Convergence tolerance, 1e-8 to 1e-2 on a log scale; ML.NET's default 1e-7.</summary>
    [Range(1e-8f, 1e-2f, 1e-7f, true)]
    public float OptimizationTolerance { get; set; } = 1e-7f;

    /// <summary>Past gradients kept, 2 to 128 on a log scale; ML.NET's default 20.</summary>
    [Range(2, 128, 20, true)]
    public int HistorySize { get; set; } = 20;
}
