using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Pipelines.Presets;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The neural network as one more option of a trainer choice:
/// <c>mlContext.Tuning().BinaryClassification.NeuralNetwork()</c> and its multiclass and regression siblings.
/// </summary>
/// <remarks>
/// The default space (<see cref="DefaultSpace"/>) searches the hyperparameters named below; the network is
/// <see cref="HiddenLayers"/> layers of <see cref="Units"/> units each. Every trial is seeded from its
/// trial's <see cref="MLContext"/>. Pass <c>configure</c> to set what is not searched (e.g. a validation
/// fraction and patience, threads, or an <see cref="NeuralNetworkOptions.OnEpochEnd"/> hook).
/// </remarks>
public static class NeuralNetworkPresets
{
    /// <summary>Hidden layers, 1 to 3 (default 2).</summary>
    public const string HiddenLayers = "HiddenLayers";

    /// <summary>Units of each hidden layer, 8 to 512 on a log scale (default 64).</summary>
    public const string Units = "Units";

    /// <summary>Activation, any <see cref="NeuralNetworkActivation"/> (default ReLU).</summary>
    public const string Activation = "Activation";

    /// <summary>Dropout, 0 to 0.5 (default 0).</summary>
    public const string Dropout = "Dropout";

    /// <summary>Batch normalization, false or true (default false).</summary>
    public const string BatchNormalization = "BatchNormalization";

    /// <summary>Weight decay, 1e-6 to 1e-2 on a log scale (default 1e-5).</summary>
    public const string WeightDecay = "WeightDecay";

    /// <summary>Optimizer, any <see cref="NeuralNetworkOptimizer"/> (default Adam).</summary>
    public const string Optimizer = "Optimizer";

    /// <summary>Momentum of SGD and RMSprop, 0.5 to 0.99 (default 0.9).</summary>
    public const string Momentum = "Momentum";

    /// <summary>Learning rate, 1e-4 to 0.1 on a log scale (default 1e-3).</summary>
    public const string LearningRate = "LearningRate";

    /// <summary>
    /// Epochs the schedule is laid over (<see cref="NeuralNetworkOptions.ScheduleEpochs"/>). Not searched: the epochs
    /// budget unit sets it to the budget's maximum. A <c>configure</c> action that sets
    /// <see cref="NeuralNetworkOptions.ScheduleEpochs"/> to null anneals each trial over its own epochs instead.
    /// </summary>
    public const string ScheduleEpochs = "ScheduleEpochs";

    /// <summary>Schedule, any <see cref="LearningRateSchedule"/> (default constant).</summary>
    public const string Schedule = "Schedule";

    /// <summary>Batch size, one of 16, 32, 64, 128, 256 (default 32).</summary>
    public const string BatchSize = "BatchSize";

    /// <summary>Epochs, 5 to 100 on a log scale (default 20).</summary>
    public const string Epochs = "Epochs";

    /// <summary>The default search space (see the parameter-name constants for the ranges).</summary>
    public static HyperparameterSpace DefaultSpace { get; } = HyperparameterSpace.CreateBuilder()
        .Int(HiddenLayers, 1, 3, defaultValue: 2)
        .Int(Units, 8, 512, logScale: true, defaultValue: 64)
        .Enum<NeuralNetworkActivation>(Activation, NeuralNetworkActivation.ReLU)
        .Double(Dropout, 0, 0.5, defaultValue: 0)
        .Boolean(BatchNormalization)
        .Double(WeightDecay, 1e-6, 1e-2, logScale: true, defaultValue: 1e-5)
        .Enum<NeuralNetworkOptimizer>(Optimizer, NeuralNetworkOptimizer.Adam)
        .Double(Momentum, 0.5, 0.99, defaultValue: 0.9)
        .Double(LearningRate, 1e-4, 0.1, logScale: true, defaultValue: 1e-3)
        .Enum<LearningRateSchedule>(Schedule, LearningRateSchedule.Constant)
        .Choice(BatchSize, new[] { 16, 32, 64, 128, 256 }, 32)
        .Int(Epochs, 5, 100, logScale: true, defaultValue: 20)
        .Build();

    /// <summary>A tunable binary-classification network.</summary>
    /// <param name="presets">The catalog.</param>
    /// <param name="labelColumnName">Boolean label column.</param>
    /// <param name="featureColumnName">Single-vector feature column.</param>
    /// <param name="space">A space to search instead of <see cref="DefaultSpace"/>; parameters it leaves out keep the options' defaults.</param>
    /// <param name="configure">Sets options that are not searched, after the searched ones.</param>
    public static TunableEstimator NeuralNetwork(this BinaryClassificationPresets presets, string labelColumnName = "Label", string featureColumnName = "Features", HyperparameterSpace? space = null, Action<NeuralNetworkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(presets);
        return Make(space, (context, parameters, from) => context.BinaryClassification.Trainers.NeuralNetwork(
            Resume(ApplyParameters(new NeuralNetworkBinaryTrainer.Options(), parameters, labelColumnName, featureColumnName, configure), from)));
    }

    /// <summary>A tunable multiclass network (key label).</summary>
    /// <param name="presets">The catalog.</param>
    /// <param name="labelColumnName">Key label column.</param>
    /// <param name="featureColumnName">Single-vector feature column.</param>
    /// <param name="space">A space to search instead of <see cref="DefaultSpace"/>.</param>
    /// <param name="configure">Sets options that are not searched, after the searched ones.</param>
    public static TunableEstimator NeuralNetwork(this MulticlassClassificationPresets presets, string labelColumnName = "Label", string featureColumnName = "Features", HyperparameterSpace? space = null, Action<NeuralNetworkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(presets);
        return Make(space, (context, parameters, from) => context.MulticlassClassification.Trainers.NeuralNetwork(
            Resume(ApplyParameters(new NeuralNetworkMulticlassTrainer.Options(), parameters, labelColumnName, featureColumnName, configure), from)));
    }

    /// <summary>A tunable regression network (Single label).</summary>
    /// <param name="presets">The catalog.</param>
    /// <param name="labelColumnName">Single label column.</param>
    /// <param name="featureColumnName">Single-vector feature column.</param>
    /// <param name="space">A space to search instead of <see cref="DefaultSpace"/>.</param>
    /// <param name="configure">Sets options that are not searched, after the searched ones.</param>
    public static TunableEstimator NeuralNetwork(this RegressionPresets presets, string labelColumnName = "Label", string featureColumnName = "Features", HyperparameterSpace? space = null, Action<NeuralNetworkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(presets);
        return Make(space, (context, parameters, from) => context.Regression.Trainers.NeuralNetwork(
            Resume(ApplyParameters(new NeuralNetworkRegressionTrainer.Options(), parameters, labelColumnName, featureColumnName, configure), from)));
    }

    /// <summary>Options from a trial's parameters; parameters absent from the space keep the defaults.</summary>
    /// <param name="options">Options to fill.</param>
    /// <param name="parameters">The trial's parameters (keys are the constants of this class).</param>
    /// <param name="labelColumnName">Label column.</param>
    /// <param name="featureColumnName">Feature column.</param>
    /// <param name="configure">Applied last.</param>
    public static TOptions ApplyParameters<TOptions>(TOptions options, TrialParameters parameters, string labelColumnName = "Label", string featureColumnName = "Features", Action<NeuralNetworkOptions>? configure = null)
        where TOptions : NeuralNetworkOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parameters);
        options.LabelColumnName = labelColumnName;
        options.FeatureColumnName = featureColumnName;
        var layers = parameters.ContainsKey(HiddenLayers) ? parameters.Get<int>(HiddenLayers) : options.HiddenLayerSizes.Count;
        var units = parameters.ContainsKey(Units) ? parameters.Get<int>(Units) : options.HiddenLayerSizes.DefaultIfEmpty(64).First();
        options.HiddenLayerSizes = Enumerable.Repeat(units, layers).ToArray();
        Set(parameters, Activation, (NeuralNetworkActivation v) => options.Activation = v);
        Set(parameters, Dropout, (double v) => options.Dropout = v);
        Set(parameters, BatchNormalization, (bool v) => options.BatchNormalization = v);
        Set(parameters, WeightDecay, (double v) => options.WeightDecay = v);
        Set(parameters, Optimizer, (NeuralNetworkOptimizer v) => options.Optimizer = v);
        Set(parameters, Momentum, (double v) => options.Momentum = v);
        Set(parameters, LearningRate, (double v) => options.LearningRate = v);
        Set(parameters, Schedule, (LearningRateSchedule v) => options.Schedule = v);
        Set(parameters, BatchSize, (int v) => options.BatchSize = v);
        Set(parameters, Epochs, (int v) => options.NumberOfEpochs = v);
        Set(parameters, ScheduleEpochs, (int v) => options.ScheduleEpochs = v);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>
    /// The budget unit of the network presets: epochs, set through <see cref="Epochs"/>. A promoted trial or a PBT
    /// interval continues from its parent's checkpoint and trains only the epochs the parent has not. The learning-rate
    /// schedule is laid over the budget's maximum (<see cref="ScheduleEpochs"/>), so a rung is the start of the full
    /// run and a promotion ends with the model an uninterrupted run of its epochs gives. Default range [1, 100].
    /// </summary>
    public static BudgetUnit EpochsUnit { get; } = new EpochsBudgetUnit();

    private static TunableEstimator Make(HyperparameterSpace? space, Func<MLContext, TrialParameters, TrainingContinuation?, IEstimator<ITransformer>> build) =>
        TunableEstimator.Continuable("NeuralNetwork", space ?? DefaultSpace, EpochsUnit, build, transformer => transformer is NeuralNetworkTransformer network ? network.Checkpoint : null);

    private static TOptions Resume<TOptions>(TOptions options, TrainingContinuation? from)
        where TOptions : NeuralNetworkOptions
    {
        if (from is not null)
        {
            options.InitialCheckpoint = (NeuralNetworkCheckpoint)from.Checkpoint;
        }

        return options;
    }

    /// <summary>Epochs: the amount, with the schedule over the budget's maximum.</summary>
    private sealed class EpochsBudgetUnit() : BudgetUnit(Count.Name, Count.DefaultMinimum, Count.DefaultMaximum)
    {
        private static readonly BudgetUnit Count = IntegerParameter("epochs", Epochs, 1, 100);

        public override string ParameterName => Epochs;

        public override void CheckRange(double minimum, double maximum) => Count.CheckRange(minimum, maximum);

        public override string Describe(double amount) => Count.Describe(amount);

        public override BudgetedTraining Apply(BudgetRequest request)
        {
            var training = Count.Apply(request);
            if (request.Maximum is not double maximum)
            {
                return training;
            }

            var epochs = training.Parameters.Get<int>(Epochs);
            return training with { Parameters = training.Parameters.With(ScheduleEpochs, Math.Max(epochs, (int)Math.Round(maximum))) };
        }
    }

    private static void Set<T>(TrialParameters parameters, string key, Action<T> apply)
    {
        if (parameters.ContainsKey(key))
        {
            apply(parameters.Get<T>(key));
        }
    }
}
