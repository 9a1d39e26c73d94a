using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>A multilayer perceptron for regression: Single label (standardized inside the model); adds Score.</summary>
public sealed class NeuralNetworkRegressionTrainer : NeuralNetworkTrainerBase
{
    internal NeuralNetworkRegressionTrainer(Options options, IHostEnvironment? environment)
        : base(NeuralNetworkTask.Regression, options, environment)
    {
    }

    /// <summary>Options of <see cref="NeuralNetworkRegressionTrainer"/>; see <see cref="NeuralNetworkOptions"/>.</summary>
    public sealed class Options : NeuralNetworkOptions
    {
    }
}
