using MLNetTuning.Tuners;

namespace MLNetTuning.TorchSharp;

/// <summary>How a training run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>All <see cref="NeuralNetworkOptions.NumberOfEpochs"/> were trained (or the checkpoint had reached them already).</summary>
    Completed,

    /// <summary>The loss did not improve for <see cref="NeuralNetworkOptions.EarlyStoppingPatience"/> epochs.</summary>
    EarlyStopping,

    /// <summary><see cref="NeuralNetworkOptions.OnEpochEnd"/> answered <see cref="TrialDecision.Stop"/>.</summary>
    Callback,
}
