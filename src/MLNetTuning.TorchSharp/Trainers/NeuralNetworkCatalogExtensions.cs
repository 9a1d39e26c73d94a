using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>The trainers on ML.NET's catalogs: <c>mlContext.BinaryClassification.Trainers.NeuralNetwork(...)</c> and siblings.</summary>
public static class NeuralNetworkCatalogExtensions
{
    /// <summary>A neural network for binary classification (Boolean label, Single-vector features).</summary>
    public static NeuralNetworkBinaryTrainer NeuralNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, NeuralNetworkBinaryTrainer.Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NeuralNetworkBinaryTrainer(options ?? new(), MLNetModelFormat.EnvironmentOf(catalog));
    }

    /// <summary>A neural network for multiclass classification (key label, Single-vector features).</summary>
    public static NeuralNetworkMulticlassTrainer NeuralNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, NeuralNetworkMulticlassTrainer.Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NeuralNetworkMulticlassTrainer(options ?? new(), MLNetModelFormat.EnvironmentOf(catalog));
    }

    /// <summary>A neural network for regression (Single label, Single-vector features).</summary>
    public static NeuralNetworkRegressionTrainer NeuralNetwork(this RegressionCatalog.RegressionTrainers catalog, NeuralNetworkRegressionTrainer.Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NeuralNetworkRegressionTrainer(options ?? new(), MLNetModelFormat.EnvironmentOf(catalog));
    }
}
