namespace MLNetTuning.TorchSharp;

/// <summary>The optimizer that updates the weights (TorchSharp's implementations).</summary>
public enum NeuralNetworkOptimizer
{
    /// <summary>Stochastic gradient descent, with <c>NeuralNetworkOptions.Momentum</c> and optional Nesterov momentum.</summary>
    Sgd,

    /// <summary>Adam; <c>NeuralNetworkOptions.WeightDecay</c> is an L2 penalty added to the gradient.</summary>
    Adam,

    /// <summary>AdamW; <c>NeuralNetworkOptions.WeightDecay</c> is decoupled weight decay.</summary>
    AdamW,

    /// <summary>RMSprop, with <c>NeuralNetworkOptions.Momentum</c>.</summary>
    RmsProp,
}
