using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>Pipelines holding a network save and load with ML.NET's model operations and serve a PredictionEngine.</summary>
public class NeuralNetworkPersistenceTests
{
    [Test]
    public void AMulticlassPipelineSavesLoadsInAFreshContextAndPredictsTheSame()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromTextFile<IrisRow>(SharedData.PathOf("iris.txt"), hasHeader: true);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(new NeuralNetworkMulticlassTrainer.Options
            {
                HiddenLayerSizes = [8],
                BatchNormalization = true,
                Activation = NeuralNetworkActivation.GELU,
                LearningRate = 0.02,
                NumberOfEpochs = 15,
                Seed = 3,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        var model = pipeline.Fit(raw);
        var expected = ml.Data.CreateEnumerable<IrisPrediction>(model.Transform(raw), reuseRowObject: false).ToList();

        using var stream = new MemoryStream();
        ml.Model.Save(model, raw.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 99);
        fresh.ComponentCatalog.RegisterNeuralNetworks();
        var loaded = fresh.Model.Load(stream, out var inputSchema);
        var engine = fresh.Model.CreatePredictionEngine<IrisRow, IrisPrediction>(loaded, inputSchema: inputSchema);
        var rows = fresh.Data.CreateEnumerable<IrisRow>(raw, reuseRowObject: false).ToList();
        var predicted = rows.Select(r => engine.Predict(r)).ToList();

        Assert.That(predicted.Select(p => p.PredictedLabelValue), Is.EqualTo(expected.Select(p => p.PredictedLabelValue)));
        Assert.That(predicted.SelectMany(p => p.Score), Is.EqualTo(expected.SelectMany(p => p.Score)).Within(1e-6));

        // PredictedLabel carries the label's values (0, 1, 2), and the network learned iris.
        Assert.That(predicted.Select(p => p.PredictedLabelValue).Distinct().Order(), Is.EqualTo(new[] { 0f, 1f, 2f }));
        Assert.That(predicted.Zip(rows).Count(p => p.First.PredictedLabelValue == p.Second.Label), Is.GreaterThan(135));
    }

    [Test]
    public void ABinaryModelSavedToAFileLoadsAndItsEvaluationMatches()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 2);
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(new NeuralNetworkBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 5, Seed = 2 })
            .Fit(split.TrainSet);
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"nn-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, split.TrainSet.Schema, path);
            var fresh = new MLContext();
            fresh.ComponentCatalog.RegisterNeuralNetworks();
            var loaded = fresh.Model.Load(path, out _);

            var before = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
            var after = fresh.BinaryClassification.Evaluate(loaded.Transform(split.TestSet));
            Assert.That(after.AreaUnderRocCurve, Is.EqualTo(before.AreaUnderRocCurve).Within(1e-9));
            Assert.That(after.LogLoss, Is.EqualTo(before.LogLoss).Within(1e-6));
            Assert.That(loaded, Is.InstanceOf<NeuralNetworkTransformer>());
            Assert.That(((NeuralNetworkTransformer)loaded).EpochsTrained, Is.EqualTo(5));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ARegressionPredictionEngineMatchesTransform()
    {
        var ml = new MLContext(seed: 1);
        var data = SharedData.Housing(ml);
        var model = ml.Regression.Trainers.NeuralNetwork(new NeuralNetworkRegressionTrainer.Options { HiddenLayerSizes = [8], Activation = NeuralNetworkActivation.Tanh, NumberOfEpochs = 3, Seed = 2 })
            .Fit(data);
        var expected = ml.Data.CreateEnumerable<RegressionPrediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Score).ToList();
        var engine = ml.Model.CreatePredictionEngine<HousingRow, RegressionPrediction>(model);
        var actual = ml.Data.CreateEnumerable<HousingRow>(data, reuseRowObject: false).Select(r => engine.Predict(r).Score).ToList();

        Assert.That(actual, Is.EqualTo(expected).Within(1e-5));
        Assert.That(actual.Distinct().Count(), Is.GreaterThan(400), "every row gets its own prediction");
    }

    [TestCase(NeuralNetworkActivation.ReLU, false)]
    [TestCase(NeuralNetworkActivation.LeakyReLU, true)]
    [TestCase(NeuralNetworkActivation.GELU, true)]
    [TestCase(NeuralNetworkActivation.Tanh, false)]
    [TestCase(NeuralNetworkActivation.Sigmoid, true)]
    public void ManagedScoringMatchesTheTorchLoss(NeuralNetworkActivation activation, bool batchNorm)
    {
        // Scoring is managed code, training is libtorch. With one full batch per epoch and a negligible learning
        // rate, the libtorch loss of the last epoch is the cross-entropy of the final weights, which ML.NET's log-loss
        // of the managed scores must reproduce. Batch norm trains on the batch's statistics and scores with running
        // ones (momentum 0.1), so that case trains 150 identical epochs: the running statistics then equal the
        // batch's (up to PyTorch's unbiased variance, n/(n−1) on 150 rows), and the tolerance can be tight.
        var ml = new MLContext(seed: 1);
        var data = SharedData.Iris(ml);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(new NeuralNetworkMulticlassTrainer.Options
        {
            HiddenLayerSizes = [6, 5],
            Activation = activation,
            BatchNormalization = batchNorm,
            LearningRate = 1e-9,
            BatchSize = 150,
            NumberOfEpochs = batchNorm ? 150 : 2,
            Seed = 4,
        }).Fit(data);
        var managed = ml.MulticlassClassification.Evaluate(model.Transform(data)).LogLoss;
        TestContext.Out.WriteLine($"measured: managed log-loss {managed:F6}, torch loss {model.History[^1].TrainingLoss:F6}");
        Assert.That(managed, Is.EqualTo(model.History[^1].TrainingLoss).Within(batchNorm ? 2e-3 : 1e-4), "measured gaps: 6e-4 with batch norm, 1e-6 without");
    }

    private sealed class IrisRow
    {
        [LoadColumn(0)]
        public float Label { get; set; }

        [LoadColumn(1, 4)]
        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private sealed class IrisPrediction
    {
        public float PredictedLabelValue { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class HousingRow
    {
        public float Label { get; set; }

        [VectorType(13)]
        public float[] Features { get; set; } = [];
    }

    private sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }
}
