namespace MLNetTuning.TorchSharp;

/// <summary>The nonlinearity after each hidden layer.</summary>
public enum NeuralNetworkActivation
{
    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>x for x &gt; 0, 0.01·x otherwise.</summary>
    LeakyReLU,

    /// <summary>Gaussian error linear unit, x·Φ(x) (the exact form, not the tanh approximation).</summary>
    GELU,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
}
