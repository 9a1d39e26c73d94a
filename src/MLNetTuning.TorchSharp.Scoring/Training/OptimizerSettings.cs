namespace MLNetTuning.TorchSharp;

/// <summary>The optimizer hyperparameters the checkpointed run used last (a resumed run may change them).</summary>
internal sealed record OptimizerSettings(double WeightDecay, double Momentum, bool Nesterov);
