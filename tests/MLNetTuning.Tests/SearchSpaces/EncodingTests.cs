using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tests.SearchSpaces;

/// <summary>The unit-cube encoding must equal ML.NET AutoML's, so that its tuners can be bridged in.</summary>
public class EncodingTests
{
    [Test]
    public void LinearRangeMapsMinMax()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("x", -5, 10).Build();
        Assert.That(space.EncodeParameters(Params(("x", 2.5))), Is.EqualTo(new[] { 0.5 }).Within(1e-12));
        Assert.That(space.DecodeParameters([0.2])["x"], Is.EqualTo(-2.0).Within(1e-12));
    }

    [Test]
    public void LogRangeMapsLogarithms()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("lr", 1e-4, 1, logScale: true).Build();

        // log10 spans 4 decades, so 1e-2 sits at the middle.
        Assert.That(space.EncodeParameters(Params(("lr", 1e-2)))[0], Is.EqualTo(0.5).Within(1e-12));
        Assert.That((double)space.DecodeParameters([0.25])["lr"]!, Is.EqualTo(1e-3).Within(1e-15));
    }

    [Test]
    public void IntegersAreFlooredAsAutoMLDoes()
    {
        var range = new NumericRange(NumericType.Int32, 0, 10);

        // AutoML: floor(min + (max - min)·u + 1e-6); u = 0.59 → 5.9 → 5, and 0.3 → 3.0000... stays 3 despite rounding error.
        Assert.That(range.Decode([0.59]), Is.EqualTo(5));
        Assert.That(range.Decode([0.3]), Is.EqualTo(3));
        Assert.That(range.Decode([1.0]), Is.EqualTo(10));
        var encoded = new double[1];
        range.Encode(7, encoded);
        Assert.That(encoded[0], Is.EqualTo(0.7).Within(1e-12));
    }

    [Test]
    public void ChoiceIndexIsOverCountWithFloor()
    {
        var choice = new ChoiceDomain(["c", "a", "b", "d"]);

        // Sorted: a, b, c, d. Value i encodes to i/n; u decodes to floor(u·n).
        Assert.That(choice.Values, Is.EqualTo(new object[] { "a", "b", "c", "d" }));
        var encoded = new double[1];
        choice.Encode("c", encoded);
        Assert.That(encoded[0], Is.EqualTo(0.5));
        Assert.That(choice.Decode([0.49]), Is.EqualTo("b"));
        Assert.That(choice.Decode([0.5]), Is.EqualTo("c"));
        Assert.That(choice.Decode([1.0]), Is.EqualTo("d"), "u = 1 must stay inside the choice");
    }

    [Test]
    public void SingleChoiceAndConstantTakeNoDimension()
    {
        var space = HyperparameterSpace.CreateBuilder().Choice("only", "x").Constant("k", 3).Double("d", 0, 1).Build();
        Assert.That(space.Dimension, Is.EqualTo(1));
        var p = space.DecodeParameters([0.5]);
        Assert.That(p["only"], Is.EqualTo("x"));
        Assert.That(p["k"], Is.EqualTo(3));
    }

    [Test]
    public void KeysAreSortedOrdinallyAndConcatenated()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Double("b", 0, 1)
            .Choice("a", "x", "y")
            .Nested("c", n => n.Int("z", 0, 4).Double("y", 0, 10))
            .Build();
        Assert.That(space.Keys, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(space.Dimension, Is.EqualTo(4));
        var p = space.DecodeParameters([0.5, 0.25, 0.3, 0.5]);
        Assert.Multiple(() =>
        {
            Assert.That(p["a"], Is.EqualTo("y"));
            Assert.That(p["b"], Is.EqualTo(0.25));
            var c = (TrialParameters)p["c"]!;
            Assert.That(c["y"], Is.EqualTo(3.0).Within(1e-12));
            Assert.That(c["z"], Is.EqualTo(2));
        });
    }

    [Test]
    public void FloatRangeYieldsSingles()
    {
        var space = HyperparameterSpace.CreateBuilder().Float("f", 0.5f, 2.5f).Build();
        var value = space.DecodeParameters([0.5])["f"];
        Assert.That(value, Is.TypeOf<float>().And.EqualTo(1.5f));
    }

    [Test]
    public void EncodeThenDecodeIsIdentityOnValues()
    {
        var space = MixedSpace();
        var random = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            var u = Enumerable.Range(0, space.Dimension).Select(_ => random.NextDouble()).ToArray();
            var p = space.DecodeParameters(u);
            Assert.That(space.Contains(p), Is.True, p.ToString());
            var back = space.DecodeParameters(space.EncodeParameters(p));

            // Choices, integers and branches come back exactly; continuous values up to log/exp rounding.
            Assert.That(back.ToString(), Is.EqualTo(p.ToString()));
            Assert.That(space.EncodeParameters(back), Is.EqualTo(space.EncodeParameters(p)).Within(1e-9));
        }
    }

    [Test]
    public void ConditionalDecodesOnlyTheChosenBranch()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Conditional("trainer", b => b
                .Branch("LightGbm", s => s.Int("Leaves", 4, 64).Double("Rate", 0.01, 1, logScale: true))
                .Branch("FastTree", s => s.Int("Trees", 10, 100))
                .Branch("Sdca"))
            .Build();

        // Selector over FastTree, LightGbm, Sdca (sorted), then FastTree(1), LightGbm(2), Sdca(0) coordinates.
        Assert.That(space.Dimension, Is.EqualTo(4));
        var fastTree = (BranchSelection)space.DecodeParameters([0.1, 0.5, 0.9, 0.9])["trainer"]!;
        Assert.That(fastTree.Branch, Is.EqualTo("FastTree"));
        Assert.That(fastTree.Parameters["Trees"], Is.EqualTo(55));
        Assert.That(fastTree.Parameters.Keys, Is.EquivalentTo(new[] { "Trees" }));
        var lightGbm = (BranchSelection)space.DecodeParameters([0.4, 0.5, 0.0, 1.0])["trainer"]!;
        Assert.That(lightGbm.Branch, Is.EqualTo("LightGbm"));
        Assert.That(lightGbm.Parameters["Leaves"], Is.EqualTo(4));
        Assert.That((double)lightGbm.Parameters["Rate"]!, Is.EqualTo(1.0).Within(1e-12));
        var sdca = (BranchSelection)space.DecodeParameters([0.9, 0.5, 0.5, 0.5])["trainer"]!;
        Assert.That(sdca, Is.EqualTo(new BranchSelection("Sdca", TrialParameters.Empty)));
    }

    [Test]
    public void DefaultsAreExplicitOrTheEncodedCentre()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Double("lr", 1e-4, 1, logScale: true)
            .Int("n", 1, 9, defaultValue: 7)
            .Choice("c", "b", "a")
            .Boolean("flag", defaultValue: true)
            .Build();
        var d = space.Defaults;
        Assert.Multiple(() =>
        {
            Assert.That((double)d["lr"]!, Is.EqualTo(1e-2).Within(1e-12));
            Assert.That(d["n"], Is.EqualTo(7));
            Assert.That(d["c"], Is.EqualTo("a"));
            Assert.That(d["flag"], Is.EqualTo(true));
        });
    }

    [Test]
    public void WrongCoordinateCountOrForeignValuesAreRejected()
    {
        var space = MixedSpace();
        Assert.That(() => space.DecodeParameters(new double[space.Dimension + 1]), Throws.ArgumentException.With.Message.Contains("dimension"));
        var bad = space.Defaults.With("depth", 1000);
        Assert.That(() => space.EncodeParameters(bad), Throws.ArgumentException.With.Message.Contains("depth").And.Message.Contains("outside"));
        var unknown = space.Defaults.With("nope", 1);
        Assert.That(() => space.EncodeParameters(unknown), Throws.ArgumentException.With.Message.Contains("'nope'"));
    }

    internal static HyperparameterSpace MixedSpace() => HyperparameterSpace.CreateBuilder()
        .Double("lr", 1e-5, 1, logScale: true, defaultValue: 0.1)
        .Float("frac", 0.1f, 1f)
        .Int("depth", 1, 12)
        .Int("trees", 4, 4096, logScale: true)
        .Choice("booster", "gbdt", "dart", "goss")
        .Choice("size", 16, 32, 64)
        .Enum<DayOfWeek>("day", DayOfWeek.Monday)
        .Boolean("bias")
        .Constant("seed", 42)
        .Nested("inner", n => n.Double("a", -1, 1).Choice("b", 0.5, 1.5))
        .Conditional("trainer", b => b.Branch("X", s => s.Int("k", 1, 5)).Branch("Y", s => s.Double("w", 0, 1)).Branch("Z"))
        .Build();

    private static TrialParameters Params(params (string Key, object? Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)));
}
