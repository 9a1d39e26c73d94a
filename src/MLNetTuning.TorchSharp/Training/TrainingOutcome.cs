namespace MLNetTuning.TorchSharp;

/// <summary>The result of <see cref="NetworkTrainer.Train"/>.</summary>
internal sealed record TrainingOutcome(NeuralNetworkCheckpoint Checkpoint, IReadOnlyList<EpochReport> History, TrainingStopReason StopReason);
