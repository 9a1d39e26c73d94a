using System.Globalization;
using MLNetTuning.Tuners;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// Options shared by the three neural-network trainers: a multilayer perceptron trained with TorchSharp on
/// the CPU. Features are standardized inside the model (mean and standard deviation of the training rows,
/// kept with the model), so no normalizer is needed in front.
/// </summary>
public abstract class NeuralNetworkOptions
{
    /// <summary>The label column. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a known-size vector of Single. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Units of each hidden layer, input side first. Empty means a linear model. Default 64, 64.</summary>
    public IReadOnlyList<int> HiddenLayerSizes { get; set; } = [64, 64];

    /// <summary>Nonlinearity after each hidden layer. Default ReLU.</summary>
    public NeuralNetworkActivation Activation { get; set; } = NeuralNetworkActivation.ReLU;

    /// <summary>Probability of zeroing a hidden unit during training, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Batch normalization after each hidden linear layer (before the activation). Default false.</summary>
    public bool BatchNormalization { get; set; }

    /// <summary>Weight decay (L2 for SGD, Adam and RMSprop; decoupled for AdamW), ≥ 0. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>The optimizer. Default Adam.</summary>
    public NeuralNetworkOptimizer Optimizer { get; set; } = NeuralNetworkOptimizer.Adam;

    /// <summary>Momentum of SGD and RMSprop, in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Nesterov momentum for SGD (needs a positive <see cref="Momentum"/>). Default false.</summary>
    public bool Nesterov { get; set; }

    /// <summary>Base (peak) learning rate, &gt; 0. Default 0.001.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>How the learning rate moves over the epochs. Default constant.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>
    /// The epochs that <see cref="LearningRateSchedule.Cosine"/> and <see cref="LearningRateSchedule.OneCycle"/> are
    /// laid out over, ≥ <see cref="NumberOfEpochs"/>; null (default) means <see cref="NumberOfEpochs"/>. A
    /// multi-fidelity tuner's maximum budget makes every shorter run an exact prefix of the full run, so a promotion
    /// that continues a checkpoint ends where an uninterrupted run would.
    /// </summary>
    public int? ScheduleEpochs { get; set; }

    /// <summary>Epochs of linear warm-up from zero to the learning rate, ≥ 0. Default 0.</summary>
    public int WarmupEpochs { get; set; }

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: epochs between decays, ≥ 1. Default 10.</summary>
    public int StepDecayEpochs { get; set; } = 10;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: the factor of each decay, in (0, 1]. Default 0.1.</summary>
    public double StepDecayFactor { get; set; } = 0.1;

    /// <summary>Rows per mini-batch, ≥ 1. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Total epochs to reach, ≥ 1. When resuming from <see cref="InitialCheckpoint"/>, training goes on from the
    /// checkpoint's epoch up to this number (schedules are laid out over this number). Default 20.
    /// </summary>
    public int NumberOfEpochs { get; set; } = 20;

    /// <summary>
    /// Fraction of the training rows held out (by the seed) to measure the validation loss after each epoch,
    /// in [0, 0.9]. 0 means no hold-out: reports and early stopping then use the training loss. Default 0.
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Stop when the validation loss has not improved for this many epochs (the last weights are kept).
    /// Null (default) never stops early.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Clip the gradients' global L2 norm to this value before each step, &gt; 0; null (default) never clips.</summary>
    public double? GradientClipNorm { get; set; }

    /// <summary>Seed of weights, splits, shuffling and dropout; null takes one from the <c>MLContext</c>.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// TorchSharp's intra-op threads, ≥ 1. This is a process-wide setting of libtorch, set at the start of
    /// training when given; null (default) leaves it alone.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// Called after every epoch with the epoch's losses; returning <see cref="TrialDecision.Stop"/> ends training
    /// there (what a tuner's pruning or a multi-fidelity rung uses). Not saved with the model.
    /// </summary>
    public Func<EpochReport, TrialDecision>? OnEpochEnd { get; set; }

    /// <summary>
    /// Training state to resume from: weights, optimizer state, epoch, split and early-stopping state. The
    /// architecture, optimizer kind, validation fraction and seed must equal the checkpoint's (a mismatch is an
    /// <see cref="ArgumentException"/>); the learning rate and its schedule, weight decay, momentum, Nesterov
    /// flag, epochs, batch size, dropout, patience and clipping may change (what a population-based tuner
    /// perturbs) and take effect from the first resumed step. Null (default) starts afresh.
    /// </summary>
    public NeuralNetworkCheckpoint? InitialCheckpoint { get; set; }

    /// <summary>Checks every value, naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), LabelColumnName, "must name a column");
        Require(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), FeatureColumnName, "must name a column");
        Require(HiddenLayerSizes is not null && HiddenLayerSizes.All(s => s >= 1), nameof(HiddenLayerSizes), HiddenLayerSizes is null ? "null" : string.Join(",", HiddenLayerSizes), "must be a list of positive layer sizes");
        Require(Enum.IsDefined(Activation), nameof(Activation), Activation, "is not a known activation");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "must be in [0, 1)");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "must be ≥ 0");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "is not a known optimizer");
        Require(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Require(!Nesterov || Optimizer != NeuralNetworkOptimizer.Sgd || Momentum > 0, nameof(Nesterov), Nesterov, "needs a positive Momentum");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be > 0");
        Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "is not a known schedule");
        Require(WarmupEpochs >= 0, nameof(WarmupEpochs), WarmupEpochs, "must be ≥ 0");
        Require(StepDecayEpochs >= 1, nameof(StepDecayEpochs), StepDecayEpochs, "must be ≥ 1");
        Require(StepDecayFactor is > 0 and <= 1, nameof(StepDecayFactor), StepDecayFactor, "must be in (0, 1]");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be ≥ 1");
        Require(NumberOfEpochs >= 1, nameof(NumberOfEpochs), NumberOfEpochs, "must be ≥ 1");
        Require(ScheduleEpochs is null || ScheduleEpochs >= NumberOfEpochs, nameof(ScheduleEpochs), ScheduleEpochs!, $"must be at least NumberOfEpochs ({NumberOfEpochs}) when set: the schedule would end before training does");
        Require(ValidationFraction is >= 0 and <= 0.9, nameof(ValidationFraction), ValidationFraction, "must be in [0, 0.9]");
        Require(EarlyStoppingPatience is null or >= 1, nameof(EarlyStoppingPatience), EarlyStoppingPatience!, "must be ≥ 1 when set");
        Require(GradientClipNorm is null || (GradientClipNorm > 0 && double.IsFinite(GradientClipNorm.Value)), nameof(GradientClipNorm), GradientClipNorm!, "must be > 0 when set");
        Require(NumberOfThreads is null or >= 1, nameof(NumberOfThreads), NumberOfThreads!, "must be ≥ 1 when set");
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Neural network option {name} = {value} {rule}."), name);
        }
    }
}
