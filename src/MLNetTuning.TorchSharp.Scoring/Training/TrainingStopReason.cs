namespace MLNetTuning.TorchSharp;

/// <summary>How a training run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>All <c>NeuralNetworkOptions.NumberOfEpochs</c> were trained (or the checkpoint had reached them already).</summary>
    Completed,

    /// <summary>The loss did not improve for <c>NeuralNetworkOptions.EarlyStoppingPatience</c> epochs.</summary>
    EarlyStopping,

    /// <summary><c>NeuralNetworkOptions.OnEpochEnd</c> answered <c>TrialDecision.Stop</c>.</summary>
    Callback,
}
