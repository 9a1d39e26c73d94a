using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SearchSpace;
using Microsoft.ML.Trainers;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines.Presets;

/// <summary>The online linear trainers' searched hyperparameters. Defaults equal ML.NET's.</summary>
public sealed class OnlineLinearSearchOptions : TrainerColumns
{
    /// <summary>Learning rate, 0.001 to 1 on a log scale; ML.NET's default 1 (averaged perceptron) or 0.1 (online gradient descent).</summary>
    [Range(0.001f, 1f, 0.1f, true)]
    public float LearningRate { get; set; } = 0.1f;

    /// <summary>L2 regularization, 0 to 0.1; ML.NET's default 0.</summary>
    [Range(0f, 0.1f, 0f)]
    public float L2Regularization { get; set; }

    /// <summary>Passes over the data, 1 to 50 on a log scale; the budget unit "iterations" of multi-fidelity tuners and PBT.</summary>
    [Range(1, 50, 10, true)]
    public int NumberOfIterations { get; set; } = 10;
}

/// <summary>Linear SVM's searched hyperparameters. Defaults equal ML.NET's.</summary>
public sealed class LinearSvmSearchOptions : TrainerColumns
{
    /// <summary>Regularization λ, 1e-6 to 1 on a log scale; ML.NET's default 0.001.</summary>
    [Range(1e-6f, 1f, 0.001f, true)]
    public float Lambda { get; set; } = 0.001f;

    /// <summary>Whether to project the weights onto a ball after each step; ML.NET's default false.</summary>
    [BooleanChoice(false)]
    public bool PerformProjection { get; set; }

    /// <summary>Passes over the data, 1 to 50 on a log scale; the budget unit "iterations".</summary>
    [Range(1, 50, 1, true)]
    public int NumberOfIterations { get; set; } = 1;
}

/// <summary>
/// Builds the online linear trainers as continuable tunable estimators: ML.NET can continue their training from
/// earlier weights (<c>Fit(data, modelParameters)</c>), so a promotion or a PBT interval trains only the passes
/// its parent has not.
/// </summary>
internal static class OnlineLinear
{
    public static readonly BudgetUnit Iterations = BudgetUnit.IntegerParameter("iterations", "NumberOfIterations", 1, 50);

    public static TunableEstimator Make<TSearch, TTransformer>(
        string name,
        TSearch defaults,
        Func<MLContext, TSearch, int, IEstimator<TTransformer>> fresh,
        Func<MLContext, TSearch, int, IDataView, LinearModelParameters, TTransformer> continued)
        where TSearch : TrainerColumns, new()
        where TTransformer : class, ITransformer
    {
        var space = HyperparameterSpace.FromOptions(defaults);
        return TunableEstimator.Continuable(
            name,
            space,
            Iterations,
            (context, parameters, from) =>
            {
                var options = parameters.ToOptions(defaults);
                var total = parameters.ContainsKey("NumberOfIterations") ? parameters.Get<int>("NumberOfIterations") : 1;
                if (from is null)
                {
                    return (IEstimator<ITransformer>)fresh(context, options, total);
                }

                // Continue the parent's weights for the passes it has not made yet.
                var remaining = Math.Max(1, total - (int)Math.Round(from.TrainedAmount));
                var weights = (LinearModelParameters)from.Checkpoint;
                return new ContinuingEstimator<TTransformer>(fresh(context, options, remaining), data => continued(context, options, remaining, data, weights));
            },
            transformer => transformer is ISingleFeaturePredictionTransformer<LinearModelParameters> linear ? linear.Model : null);
    }

    /// <summary>An estimator whose fit continues from given weights; its schema is the fresh trainer's.</summary>
    private sealed class ContinuingEstimator<TTransformer>(IEstimator<TTransformer> fresh, Func<IDataView, TTransformer> fit) : IEstimator<ITransformer>
        where TTransformer : class, ITransformer
    {
        public ITransformer Fit(IDataView input) => fit(input);

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => fresh.GetOutputSchema(inputSchema);
    }
}

/// <summary>Continuable binary-classification presets.</summary>
public sealed partial class BinaryClassificationPresets
{
    /// <summary>Averaged perceptron (linear, online; continues from its weights, budget unit "iterations"); see <see cref="OnlineLinearSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator AveragedPerceptron(string labelColumnName = "Label", string featureColumnName = "Features", OnlineLinearSearchOptions? options = null) =>
        OnlineLinear.Make<OnlineLinearSearchOptions, BinaryPredictionTransformer<LinearBinaryModelParameters>>(
            "AveragedPerceptron",
            options ?? new OnlineLinearSearchOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, LearningRate = 1 },
            (c, s, iterations) => c.BinaryClassification.Trainers.AveragedPerceptron(AveragedPerceptronOptions(s, iterations)),
            (c, s, iterations, data, weights) => c.BinaryClassification.Trainers.AveragedPerceptron(AveragedPerceptronOptions(s, iterations)).Fit(data, weights));

    /// <summary>Linear SVM (online; continues from its weights, budget unit "iterations"); see <see cref="LinearSvmSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator LinearSvm(string labelColumnName = "Label", string featureColumnName = "Features", LinearSvmSearchOptions? options = null) =>
        OnlineLinear.Make<LinearSvmSearchOptions, BinaryPredictionTransformer<LinearBinaryModelParameters>>(
            "LinearSvm",
            options ?? new LinearSvmSearchOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName },
            (c, s, iterations) => c.BinaryClassification.Trainers.LinearSvm(LinearSvmOptions(s, iterations)),
            (c, s, iterations, data, weights) => c.BinaryClassification.Trainers.LinearSvm(LinearSvmOptions(s, iterations)).Fit(data, weights));

    private static AveragedPerceptronTrainer.Options AveragedPerceptronOptions(OnlineLinearSearchOptions s, int iterations) => new()
    {
        LabelColumnName = s.LabelColumnName,
        FeatureColumnName = s.FeatureColumnName,
        LearningRate = s.LearningRate,
        L2Regularization = s.L2Regularization,
        NumberOfIterations = iterations,
    };

    private static LinearSvmTrainer.Options LinearSvmOptions(LinearSvmSearchOptions s, int iterations) => new()
    {
        LabelColumnName = s.LabelColumnName,
        FeatureColumnName = s.FeatureColumnName,
        Lambda = s.Lambda,
        PerformProjection = s.PerformProjection,
        NumberOfIterations = iterations,
    };
}

/// <summary>Continuable regression presets.</summary>
public sealed partial class RegressionPresets
{
    /// <summary>Online gradient descent (linear; continues from its weights, budget unit "iterations"); see <see cref="OnlineLinearSearchOptions"/>. Scale features first.</summary>
    public TunableEstimator OnlineGradientDescent(string labelColumnName = "Label", string featureColumnName = "Features", OnlineLinearSearchOptions? options = null) =>
        OnlineLinear.Make<OnlineLinearSearchOptions, RegressionPredictionTransformer<LinearRegressionModelParameters>>(
            "OnlineGradientDescent",
            options ?? new OnlineLinearSearchOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName },
            (c, s, iterations) => c.Regression.Trainers.OnlineGradientDescent(Options(s, iterations)),
            (c, s, iterations, data, weights) => c.Regression.Trainers.OnlineGradientDescent(Options(s, iterations)).Fit(data, weights));

    private static OnlineGradientDescentTrainer.Options Options(OnlineLinearSearchOptions s, int iterations) => new()
    {
        LabelColumnName = s.LabelColumnName,
        FeatureColumnName = s.FeatureColumnName,
        LearningRate = s.LearningRate,
        L2Regularization = s.L2Regularization,
        NumberOfIterations = iterations,
    };
}
