namespace MLNetTuning.TorchSharp;

/// <summary>The optimizer hyperparameters TorchSharp stores in its state (and restores over the options' on load).</summary>
internal sealed record OptimizerSettings(double WeightDecay, double Momentum, bool Nesterov)
{
    public static OptimizerSettings Of(NeuralNetworkOptions options) => new(options.WeightDecay, options.Momentum, options.Nesterov);
}
