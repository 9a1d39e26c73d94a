using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>A multilayer perceptron for binary classification: Boolean label; adds Score (logit), Probability and PredictedLabel (Boolean).</summary>
public sealed class NeuralNetworkBinaryTrainer : NeuralNetworkTrainerBase
{
    internal NeuralNetworkBinaryTrainer(Options options, IHostEnvironment? environment)
        : base(NeuralNetworkTask.BinaryClassification, options, environment)
    {
    }

    /// <summary>Options of <see cref="NeuralNetworkBinaryTrainer"/>; see <see cref="NeuralNetworkOptions"/>.</summary>
    public sealed class Options : NeuralNetworkOptions
    {
    }
}
