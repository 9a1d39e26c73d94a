using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>Each bad input fails with an error that names the problem.</summary>
public class NeuralNetworkBadInputTests
{
    private static readonly NeuralNetworkBinaryTrainer.Options Small = new() { HiddenLayerSizes = [4], NumberOfEpochs = 1, Seed = 1 };

    [Test]
    public void AMissingFeatureColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Renamed { Label = true, Inputs = [1, 2] }, new Renamed { Label = false, Inputs = [2, 1] } });
        var trainer = ml.BinaryClassification.Trainers.NeuralNetwork(Small);

        var fit = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.That(fit!.Message, Does.Contain("feature column 'Features' is not in the data").And.Contain("Inputs"));
        var shape = Assert.Throws<ArgumentException>(() => trainer.GetOutputSchema(SchemaShapeOf(data)));
        Assert.That(shape!.Message, Does.Contain("'Features'"));
    }

    [Test]
    public void AWrongLabelTypeIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var housing = SharedData.Housing(ml);

        var binary = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork(Small).Fit(housing));
        Assert.That(binary!.Message, Does.Contain("Boolean label").And.Contain("'Label' is Single"));
        var multiclass = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(new() { NumberOfEpochs = 1 }).Fit(housing));
        Assert.That(multiclass!.Message, Does.Contain("key label").And.Contain("MapValueToKey"));
        var regression = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.NeuralNetwork(new() { NumberOfEpochs = 1 }).Fit(SharedData.BreastCancer(ml)));
        Assert.That(regression!.Message, Does.Contain("Single label").And.Contain("'Label' is Boolean"));
    }

    [Test]
    public void NaNFeaturesAreReportedWithTheirRowAndSlot()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Label = true, Features = [1, 2] },
            new Row { Label = false, Features = [2, float.NaN] },
        });

        var error = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork(Small).Fit(data));
        Assert.That(error!.Message, Does.Contain("NaN at row 1, slot 1").And.Contain("ReplaceMissingValues"));
    }

    [Test]
    public void EmptyDataIsReported()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<Row>(), SchemaDefinition.Create(typeof(Row)));

        var error = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork(Small).Fit(data));
        Assert.That(error!.Message, Does.Contain("no rows"));
    }

    [Test]
    public void AVariableLengthFeatureVectorIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Label = true, Features = [1, 2] } });

        var error = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork(Small).Fit(data));
        Assert.That(error!.Message, Does.Contain("known-size vector of Single"));
    }

    [TestCase(nameof(NeuralNetworkOptions.Dropout))]
    [TestCase(nameof(NeuralNetworkOptions.LearningRate))]
    [TestCase(nameof(NeuralNetworkOptions.BatchSize))]
    [TestCase(nameof(NeuralNetworkOptions.HiddenLayerSizes))]
    [TestCase(nameof(NeuralNetworkOptions.ValidationFraction))]
    [TestCase(nameof(NeuralNetworkOptions.EarlyStoppingPatience))]
    public void AnOutOfRangeOptionIsNamedWithItsValue(string option)
    {
        var options = new NeuralNetworkBinaryTrainer.Options();
        switch (option)
        {
            case nameof(NeuralNetworkOptions.Dropout): options.Dropout = 1.5; break;
            case nameof(NeuralNetworkOptions.LearningRate): options.LearningRate = -1; break;
            case nameof(NeuralNetworkOptions.BatchSize): options.BatchSize = 0; break;
            case nameof(NeuralNetworkOptions.HiddenLayerSizes): options.HiddenLayerSizes = [8, 0]; break;
            case nameof(NeuralNetworkOptions.ValidationFraction): options.ValidationFraction = 0.95; break;
            default: options.EarlyStoppingPatience = 0; break;
        }

        var error = Assert.Throws<ArgumentException>(() => new MLContext().BinaryClassification.Trainers.NeuralNetwork(options));
        Assert.That(error!.ParamName, Is.EqualTo(option));
        Assert.That(error.Message, Does.Contain($"{option} = "));
    }

    [Test]
    public void ScoringDataWithAnotherFeatureWidthIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(Small).Fit(SharedData.BreastCancer(ml));
        var narrow = ml.Data.LoadFromEnumerable(new[] { new Row { Label = true, Features = [1, 2] } });

        var error = Assert.Throws<ArgumentException>(() => model.Transform(narrow));
        Assert.That(error!.Message, Does.Contain("vector of 9 Single values"));
    }

    private static SchemaShape SchemaShapeOf(IDataView data) => MLNetTuning.Pipelines.MLNetInternals.ShapeOf(data.Schema)!;

    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private sealed class VariableRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class Renamed
    {
        public bool Label { get; set; }

        [VectorType(2)]
        public float[] Inputs { get; set; } = [];
    }
}
