using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>A multilayer perceptron for multiclass classification: key label; adds Score (class probabilities) and PredictedLabel (a key carrying the label's values).</summary>
public sealed class NeuralNetworkMulticlassTrainer : NeuralNetworkTrainerBase
{
    internal NeuralNetworkMulticlassTrainer(Options options, IHostEnvironment? environment)
        : base(NeuralNetworkTask.MulticlassClassification, options, environment)
    {
    }

    /// <summary>Options of <see cref="NeuralNetworkMulticlassTrainer"/>; see <see cref="NeuralNetworkOptions"/>.</summary>
    public sealed class Options : NeuralNetworkOptions
    {
    }
}
