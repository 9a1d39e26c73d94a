using MLNetTuning.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

public class ParzenEstimatorTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Double("a", 0, 10)
        .Double("b", 0.001, 10, logScale: true)
        .Int("c", 1, 20, logScale: true)
        .Int("d", -3, 3)
        .Choice("e", "p", "q", "r")
        .Build();

    private static readonly double[][] Observations =
    [
        [1.0, 2.0, 9.5, 9.7, 3.3],
        [Math.Log(0.01), Math.Log(0.02), Math.Log(5), Math.Log(0.5), Math.Log(1)],
        [Math.Log(1), Math.Log(2), Math.Log(2), Math.Log(17), Math.Log(20)],
        [-3, 0, 0, 1, 3],
        [0, 0, 2, 2, 2],
    ];

    [TestCase(false)]
    [TestCase(true)]
    public void EachMarginalIsANormalisedDistribution(bool multivariate)
    {
        var layout = new TpeLayout(Space);
        var options = new TpeTunerOptions { Multivariate = multivariate };
        for (var leaf = 0; leaf < layout.Leaves.Length; leaf++)
        {
            var l = layout.Leaves[leaf];
            var estimator = new ParzenEstimator([l], [Observations[leaf]], options, bandwidth: TpeBandwidth.Scott);
            var scratch = new double[estimator.KernelCount];
            double total;
            if (l.Kind == TpeLeafKind.Continuous)
            {
                const int steps = 20000;
                var h = (l.High - l.Low) / steps;
                total = 0;
                for (var i = 0; i < steps; i++)
                {
                    total += Math.Exp(estimator.LogDensity([l.Low + ((i + 0.5) * h)], scratch)) * h;
                }
            }
            else if (l.Kind == TpeLeafKind.Integer)
            {
                total = 0;
                for (var k = (int)l.Range!.Min; k <= l.Range.Max; k++)
                {
                    total += Math.Exp(estimator.LogDensity([l.Log ? Math.Log(k) : k], scratch));
                }
            }
            else
            {
                total = Enumerable.Range(0, l.Categories).Sum(c => Math.Exp(estimator.LogDensity([c], scratch)));
            }

            Assert.That(total, Is.EqualTo(1.0).Within(2e-3), l.Path);
        }
    }

    [Test]
    public void SamplesFollowTheDensity()
    {
        var layout = new TpeLayout(Space);
        var leaf = layout.Leaves[0];
        var estimator = new ParzenEstimator([leaf], [Observations[0]], new TpeTunerOptions());
        var scratch = new double[estimator.KernelCount];
        var random = new Random(5);
        const int draws = 40000;
        var sampledMean = 0.0;
        var point = new double[1];
        for (var i = 0; i < draws; i++)
        {
            estimator.Sample(random, point);
            Assert.That(point[0], Is.InRange(leaf.Low, leaf.High));
            sampledMean += point[0] / draws;
        }

        const int steps = 20000;
        var h = (leaf.High - leaf.Low) / steps;
        var densityMean = 0.0;
        for (var i = 0; i < steps; i++)
        {
            var x = leaf.Low + ((i + 0.5) * h);
            densityMean += x * Math.Exp(estimator.LogDensity([x], scratch)) * h;
        }

        Assert.That(sampledMean, Is.EqualTo(densityMean).Within(0.05));
    }

    [Test]
    public void DefaultWeightsRampOlderObservations()
    {
        var few = new double[10];
        ParzenEstimator.FillObservationWeights(few, 25);
        Assert.That(few, Is.All.EqualTo(1.0));

        var many = new double[40];
        ParzenEstimator.FillObservationWeights(many, 25);
        Assert.Multiple(() =>
        {
            Assert.That(many[0], Is.EqualTo(1.0 / 40).Within(1e-12));
            Assert.That(many[14], Is.EqualTo(1.0).Within(1e-12));
            Assert.That(many[15..], Is.All.EqualTo(1.0));
            Assert.That(many[..15], Is.Ordered.Ascending);
        });
    }

    [Test]
    public void ErfcMatchesKnownValues()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TruncatedNormal.Erfc(0), Is.EqualTo(1.0).Within(1e-7));
            Assert.That(TruncatedNormal.Erfc(1), Is.EqualTo(0.157299207050285).Within(1e-7));
            Assert.That(TruncatedNormal.Erfc(-1), Is.EqualTo(1.842700792949715).Within(1e-7));
            Assert.That(TruncatedNormal.Erfc(5) / 1.5374597944280349e-12, Is.EqualTo(1.0).Within(1e-6));
            Assert.That(TruncatedNormal.Cdf(1.959963984540054), Is.EqualTo(0.975).Within(1e-7));
        });
    }
}
