using MLNetTuning.SearchSpaces;
using Snapshooter.NUnit;

namespace MLNetTuning.Tests.SearchSpaces;

public class JsonTests
{
    [Test]
    public void SpaceJsonIsStable()
    {
        // The JSON form is a public format: a change to it must be deliberate.
        Snapshot.Match(EncodingTests.MixedSpace().ToJsonString());
    }

    [Test]
    public void SpaceRoundTrips()
    {
        var space = EncodingTests.MixedSpace();
        var read = HyperparameterSpace.FromJson(space.ToJsonString());
        Assert.That(read.ToJsonString(), Is.EqualTo(space.ToJsonString()));
        Assert.That(read.Dimension, Is.EqualTo(space.Dimension));
        var random = new Random(9);
        for (var i = 0; i < 50; i++)
        {
            var u = Enumerable.Range(0, space.Dimension).Select(_ => random.NextDouble()).ToArray();
            Assert.That(read.DecodeParameters(u), Is.EqualTo(space.DecodeParameters(u)));
        }
    }

    [Test]
    public void ParametersRoundTripWithTypesRestoredByTheSpace()
    {
        var space = EncodingTests.MixedSpace();
        var random = new Random(2);
        for (var i = 0; i < 50; i++)
        {
            var p = space.DecodeParameters(Enumerable.Range(0, space.Dimension).Select(_ => random.NextDouble()).ToArray());
            var back = TrialParameters.FromJson(p.ToJson(), space);
            Assert.That(back, Is.EqualTo(p), p.ToJson());
            Assert.That(back["day"], Is.TypeOf<DayOfWeek>());
            Assert.That(back["frac"], Is.TypeOf<float>());
        }
    }

    [Test]
    public void ParametersReadWithoutASpace()
    {
        var p = TrialParameters.FromJson("""{"n": 3, "x": 0.5, "s": "a", "b": true, "t": {"$branch": "A", "$parameters": {"k": 2}}}""");
        Assert.Multiple(() =>
        {
            Assert.That(p["n"], Is.EqualTo(3));
            Assert.That(p["x"], Is.EqualTo(0.5));
            Assert.That(p["s"], Is.EqualTo("a"));
            Assert.That(p["b"], Is.EqualTo(true));
            Assert.That(p["t"], Is.EqualTo(new BranchSelection("A", new TrialParameters([new("k", 2)]))));
        });
    }

    [Test]
    public void InvalidJsonNamesTheParameter()
    {
        Assert.That(
            () => HyperparameterSpace.FromJson("""{"lr": {"type": "double", "min": 1, "max": 0}}"""),
            Throws.InstanceOf<FormatException>().With.Message.Contains("'lr'").And.Message.Contains("min (1) must be less than max (0)"));
        Assert.That(
            () => HyperparameterSpace.FromJson("""{"lr": {"type": "gaussian"}}"""),
            Throws.InstanceOf<FormatException>().With.Message.Contains("'lr'").And.Message.Contains("unknown type"));
        Assert.That(() => HyperparameterSpace.FromJson("[1,2"), Throws.InstanceOf<FormatException>());
        var space = EncodingTests.MixedSpace();
        var json = space.Defaults.With("depth", 99).ToJson();
        Assert.That(() => TrialParameters.FromJson(json, space), Throws.InstanceOf<FormatException>().With.Message.Contains("'depth'"));
    }

    [Test]
    public void HandWrittenSpaceIsAccepted()
    {
        var space = HyperparameterSpace.FromJson("""
            {
              "lr": {"type": "double", "min": 0.0001, "max": 1, "log": true, "default": 0.01},
              "leaves": {"type": "int", "min": 4, "max": 64},
              "sizes": {"type": "choice", "values": [1, 2.5]},
              "trainer": {"type": "conditional", "branches": {"A": {"k": {"type": "int", "min": 1, "max": 3}}, "B": {}}, "default": "B"}
            }
            """);
        Assert.That(space.Dimension, Is.EqualTo(5));
        Assert.That(space.Defaults["lr"], Is.EqualTo(0.01));
        Assert.That(((ChoiceDomain)space["sizes"]).Values, Is.EqualTo(new object[] { 1.0, 2.5 }));
        Assert.That(((BranchSelection)space.Defaults["trainer"]!).Branch, Is.EqualTo("B"));
    }
}
