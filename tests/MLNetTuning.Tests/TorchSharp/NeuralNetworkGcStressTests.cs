using Microsoft.ML;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>Training while other threads force garbage collections, as parallel trials do.</summary>
public class NeuralNetworkGcStressTests
{
    /// <summary>TorchSharp 0.107 leaves implicitly converted scalars to the collector; one freed during a native call
    /// failed a step ("toFloat") or changed its result. Every optimizer and the dropout path are covered.</summary>
    [TestCase(NeuralNetworkOptimizer.Adam, NeuralNetworkActivation.ReLU)]
    [TestCase(NeuralNetworkOptimizer.AdamW, NeuralNetworkActivation.LeakyReLU)]
    [TestCase(NeuralNetworkOptimizer.Sgd, NeuralNetworkActivation.GELU)]
    [TestCase(NeuralNetworkOptimizer.RmsProp, NeuralNetworkActivation.Tanh)]
    public void TrainingIsUnaffectedByCollectionsOnOtherThreads(NeuralNetworkOptimizer optimizer, NeuralNetworkActivation activation)
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        NeuralNetworkMulticlassTrainer.Options Options() => new()
        {
            HiddenLayerSizes = [12, 8],
            Activation = activation,
            Dropout = 0.2,
            BatchNormalization = true,
            GradientClipNorm = 5,
            Optimizer = optimizer,
            Momentum = 0.9,
            Nesterov = optimizer == NeuralNetworkOptimizer.Sgd,
            LearningRate = 0.01,
            WeightDecay = 1e-3,
            BatchSize = 2,
            NumberOfEpochs = 8,
            Seed = 3,
        };

        var quiet = ml.MulticlassClassification.Trainers.NeuralNetwork(Options()).Fit(data);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            var stressed = ml.MulticlassClassification.Trainers.NeuralNetwork(Options()).Fit(data);
            Assert.That(stressed.History.Select(h => h.Loss), Is.EqualTo(quiet.History.Select(h => h.Loss)));
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
    }
}
