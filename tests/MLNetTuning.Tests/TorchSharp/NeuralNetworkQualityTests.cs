using Microsoft.ML;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>
/// Held-out quality on the shared real data sets, each on a seeded 70/30 split with small networks and few
/// epochs (to keep CI fast). The floors sit a little under what well-tuned classic learners reach on these
/// sets, so a broken network, loss, scaling or output column fails them, while seed noise does not:
/// <list type="bullet">
/// <item>iris (150 rows): linear models reach 0.95–0.98 accuracy; floor 0.93, i.e. at most 3 of 45 test rows wrong;</item>
/// <item>breast cancer (699 rows): logistic regression reaches AUC ≈ 0.99; floor 0.97;</item>
/// <item>Boston housing (506 rows): linear regression RMSE ≈ 4.8–5, boosted trees ≈ 3–3.5; floor 4.5, so the
/// network must beat a linear model.</item>
/// </list>
/// </summary>
public class NeuralNetworkQualityTests
{
    [Test]
    public void IrisAccuracyIsAtLeast093()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.Iris(ml), 0.3, seed: 1);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(new NeuralNetworkMulticlassTrainer.Options
        {
            HiddenLayerSizes = [16],
            LearningRate = 0.01,
            BatchSize = 16,
            NumberOfEpochs = 60,
            Seed = 1,
        }).Fit(split.TrainSet);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        TestContext.Out.WriteLine($"iris accuracy {metrics.MicroAccuracy:F4}, log-loss {metrics.LogLoss:F4}");
        Assert.That(metrics.MicroAccuracy, Is.GreaterThanOrEqualTo(0.93));
    }

    [Test]
    public void BreastCancerAucIsAtLeast097()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 1);
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(new NeuralNetworkBinaryTrainer.Options
        {
            HiddenLayerSizes = [32, 16],
            LearningRate = 0.003,
            NumberOfEpochs = 20,
            Dropout = 0.1,
            Seed = 1,
        }).Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
        TestContext.Out.WriteLine($"breast cancer AUC {metrics.AreaUnderRocCurve:F4}, accuracy {metrics.Accuracy:F4}");
        Assert.That(metrics.AreaUnderRocCurve, Is.GreaterThanOrEqualTo(0.97));
    }

    [Test]
    public void HousingRmseIsAtMost45()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.Housing(ml), 0.3, seed: 1);
        var model = ml.Regression.Trainers.NeuralNetwork(new NeuralNetworkRegressionTrainer.Options
        {
            HiddenLayerSizes = [64, 32],
            LearningRate = 0.003,
            WeightDecay = 1e-4,
            Schedule = LearningRateSchedule.Cosine,
            BatchSize = 16,
            NumberOfEpochs = 80,
            Seed = 1,
        }).Fit(split.TrainSet);
        var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet));
        TestContext.Out.WriteLine($"housing RMSE {metrics.RootMeanSquaredError:F4}, R² {metrics.RSquared:F4}");
        Assert.That(metrics.RootMeanSquaredError, Is.LessThanOrEqualTo(4.5));
    }
}
