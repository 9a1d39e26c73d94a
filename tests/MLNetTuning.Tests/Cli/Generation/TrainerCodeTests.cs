using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using MLNetTuning.Cli;
using MLNetTuning.Cli.Generation;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.Cli.Generation;

/// <summary>Trainers written as literal code: only options that differ from ML.NET's defaults, nested options, and a
/// clear error for what has no literal form.</summary>
public class TrainerCodeTests
{
    [Test]
    public void A_light_gbm_trainer_is_written_with_its_changed_options_and_its_booster()
    {
        var ml = new MLContext(1);
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfLeaves = 7,
            LearningRate = 0.25,
            Booster = new GradientBooster.Options { L2Regularization = 0.5 },
        });

        var code = TrainerCode.Of(trainer);

        Assert.That(code.Expression, Does.StartWith("mlContext.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options"));
        Assert.That(code.Expression, Does.Contain("NumberOfLeaves = 7,").And.Contain("LearningRate = 0.25d,").And.Contain("Booster = new GradientBooster.Options").And.Contain("L2Regularization = 0.5d,"));
        Assert.That(code.Expression, Does.Not.Contain("NumberOfIterations"), "an option left at its default is not written");
        Assert.That(code.Packages, Is.EquivalentTo(new[] { "Microsoft.ML", "Microsoft.ML.LightGbm" }));
        Assert.That(code.Namespaces, Does.Contain("Microsoft.ML.Trainers.LightGbm"));
    }

    [Test]
    public void A_network_is_written_with_its_changed_options_and_the_seed_it_drew_from_the_context()
    {
        static TrainerCode Network(int contextSeed) => TrainerCode.Of(new MLContext(contextSeed).MulticlassClassification.Trainers.NeuralNetwork(new NeuralNetworkMulticlassTrainer.Options
        {
            HiddenLayerSizes = [32, 8],
            LearningRate = 0.01,
            Optimizer = NeuralNetworkOptimizer.Sgd,
        }));

        var code = Network(5);

        Assert.That(code.Expression, Does.StartWith("mlContext.MulticlassClassification.Trainers.NeuralNetwork(new NeuralNetworkMulticlassTrainer.Options"));
        Assert.That(code.Expression, Does.Contain("HiddenLayerSizes = new int[] { 32, 8 },").And.Contain("LearningRate = 0.01d,").And.Contain("Optimizer = NeuralNetworkOptimizer.Sgd,"));
        Assert.That(code.Expression, Does.Match(@"Seed = -?\d+,"));
        Assert.That(code.Expression, Does.Not.Contain("BatchSize"), "an option left at its default is not written");
        Assert.That(Network(5).Expression, Is.EqualTo(code.Expression), "the same context seed draws the same network seed");
        Assert.That(Network(6).Expression, Is.Not.EqualTo(code.Expression), "the seed comes from the context");
        Assert.That(code.Packages, Is.EquivalentTo(new[] { "Microsoft.ML", "MLNetTuning.TorchSharp", "TorchSharp-cpu" }));
        Assert.That(code.Namespaces, Does.Contain("MLNetTuning.TorchSharp"));
    }

    [Test]
    public void An_estimator_that_is_not_a_catalog_trainer_is_refused_with_its_name()
    {
        var ml = new MLContext(1);

        var error = Assert.Throws<CliException>(() => TrainerCode.Of(ml.Transforms.NormalizeMinMax("x")));

        Assert.That(error!.Message, Does.Contain("cannot be written as literal ML.NET code").And.Contain("NormalizingEstimator"));
    }
}
