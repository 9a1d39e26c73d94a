using MLNetTuning.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

public class SearchCoordinatesTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void EveryIntegerOwnsACellOfPositiveWidth(bool logScale)
    {
        var space = HyperparameterSpace.CreateBuilder().Int("k", 1, 6, logScale).Build();
        var coordinates = SearchCoordinates.Of(space);
        var seen = new SortedSet<int>();
        for (var u = 0.0; u < 1.0; u += 0.001)
        {
            seen.Add(coordinates.Decode([u]).Get<int>("k"));
        }

        Assert.That(seen, Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
        for (var k = 1; k <= 6; k++)
        {
            var parameters = TrialParameters.Empty.With("k", k);
            var point = coordinates.Encode(parameters);
            var (low, high) = coordinates.CellAt(0, point[0]);
            Assert.That(point[0], Is.GreaterThan(low).And.LessThan(high), $"k = {k} sits inside its cell");
            Assert.That(coordinates.Decode(point).Get<int>("k"), Is.EqualTo(k));
        }
    }

    [Test]
    public void LayoutFollowsTheSpaceEncodingIncludingConditionalBranches()
    {
        var space = EvoTestFunctions.MixedConditionalSpace();
        var coordinates = SearchCoordinates.Of(space);
        Assert.That(coordinates.Dimension, Is.EqualTo(space.Dimension));
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var point = Enumerable.Range(0, coordinates.Dimension).Select(_ => random.NextDouble()).ToArray();
            var parameters = coordinates.Decode(point);
            Assert.That(space.Contains(parameters), Is.True);
            var encoded = coordinates.Encode(parameters);
            Assert.That(coordinates.Encode(coordinates.Decode(encoded)), Is.EqualTo(encoded).Within(1e-6), "decode and encode are inverse up to rounding");
        }
    }
}
