namespace MLNetTuning.TorchSharp;

/// <summary>The optimizer that updates the weights (TorchSharp's implementations).</summary>
public enum NeuralNetworkOptimizer
{
    /// <summary>Stochastic gradient descent, with <see cref="NeuralNetworkOptions.Momentum"/> and optional Nesterov momentum.</summary>
    Sgd,

    /// <summary>Adam; <see cref="NeuralNetworkOptions.WeightDecay"/> is an L2 penalty added to the gradient.</summary>
    Adam,

    /// <summary>AdamW; <see cref="NeuralNetworkOptions.WeightDecay"/> is decoupled weight decay.</summary>
    AdamW,

    /// <summary>RMSprop, with <see cref="NeuralNetworkOptions.Momentum"/>.</summary>
    RmsProp,
}
