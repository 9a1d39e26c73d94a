using Microsoft.ML.SearchSpace;
using Range = Microsoft.ML.SearchSpace.RangeAttribute;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tests.SearchSpaces;

/// <summary>Spaces read from options classes carrying ML.NET's own search-space attributes.</summary>
public class OptionsSpaceTests
{
    public enum Kernel
    {
        Linear,
        Rbf,
        Poly,
    }

    public sealed class TreeOptions
    {
        [Range(4, 1024, 20, true)]
        public int Leaves { get; set; } = 20;

        [Range(0.001, 1.0, 0.1, true)]
        public double LearningRate { get; set; } = 0.1;

        [Range(0.1f, 1f, 1f)]
        public float FeatureFraction = 1;

        [Choice(new object[] { "gbdt", "dart" }, "gbdt")]
        public string Booster { get; set; } = "gbdt";

        [Choice(new object[] { "Rbf", "Linear" })]
        public Kernel Kernel { get; set; } = Kernel.Rbf;

        [BooleanChoice(true)]
        public bool UseBias { get; set; } = true;

        [NestOption]
        public InnerOptions Inner { get; set; } = new();

        // Not searched: carried from the defaults instance into every proposal.
        public string LabelColumnName { get; set; } = "Label";
    }

    public sealed class InnerOptions
    {
        [Range(1, 8)]
        public int Depth { get; set; } = 3;

        public string Note { get; set; } = "inner";
    }

    public sealed class Unsearchable
    {
        [Range(0, 1)]
        public string Name { get; set; } = "";
    }

    public sealed class BadDefault
    {
        [Range(1, 10, 5, false)]
        public int Count { get; set; }
    }

    [Test]
    public void ReadsEveryAttributeKind()
    {
        var space = HyperparameterSpace.FromOptions<TreeOptions>();
        Assert.That(space.Keys, Is.EqualTo(new[] { "Booster", "FeatureFraction", "Inner", "Kernel", "LearningRate", "Leaves", "UseBias" }));
        var leaves = (NumericRange)space["Leaves"];
        Assert.Multiple(() =>
        {
            Assert.That((leaves.Type, leaves.Min, leaves.Max, leaves.LogScale, leaves.DefaultValue), Is.EqualTo((NumericType.Int32, 4.0, 1024.0, true, (object)20)));
            Assert.That(((NumericRange)space["FeatureFraction"]).Type, Is.EqualTo(NumericType.Single));
            Assert.That(((ChoiceDomain)space["Kernel"]).Values, Is.EqualTo(new object[] { Kernel.Linear, Kernel.Rbf }));
            Assert.That(space["UseBias"].DefaultValue, Is.EqualTo(true));
            Assert.That(((HyperparameterSpace)space["Inner"]).Keys, Is.EqualTo(new[] { "Depth" }));
        });
    }

    [Test]
    public void DecodesIntoOptionsKeepingNonSearchedMembers()
    {
        var defaults = new TreeOptions { LabelColumnName = "IsFraud", Inner = new InnerOptions { Note = "kept" } };
        var space = HyperparameterSpace.FromOptions(defaults);
        var parameters = space.DecodeParameters(Enumerable.Repeat(0.99, space.Dimension).ToArray());
        var options = parameters.ToOptions(defaults);
        Assert.Multiple(() =>
        {
            Assert.That(options, Is.Not.SameAs(defaults));
            Assert.That(options.LabelColumnName, Is.EqualTo("IsFraud"));
            Assert.That(options.Leaves, Is.EqualTo(parameters["Leaves"]));
            Assert.That(options.Booster, Is.EqualTo("gbdt"), "choices sort ordinally (dart, gbdt): 0.99 is the second");
            Assert.That(options.Kernel, Is.EqualTo(Kernel.Rbf));
            Assert.That(options.UseBias, Is.True);
            Assert.That(options.Inner.Depth, Is.EqualTo(7), "1 + 7·0.99 floored");
            Assert.That(options.Inner.Note, Is.EqualTo("kept"));
            Assert.That(defaults.Leaves, Is.EqualTo(20), "the defaults instance is not changed");
        });
    }

    [Test]
    public void DefaultsInstanceSetsDefaultsOfSearchedMembers()
    {
        var space = HyperparameterSpace.FromOptions(new TreeOptions { Leaves = 64, Booster = "dart" });
        Assert.That(space.Defaults["Leaves"], Is.EqualTo(64));
        Assert.That(space.Defaults["Booster"], Is.EqualTo("dart"));
    }

    [Test]
    public void DefaultsOutsideTheRangeAreRefused()
    {
        Assert.That(
            () => HyperparameterSpace.FromOptions(new TreeOptions { Leaves = 2 }),
            Throws.ArgumentException.With.Message.Contains("'Leaves'").And.Message.Contains("outside the range"));
        Assert.That(
            () => HyperparameterSpace.FromOptions(new BadDefault()),
            Throws.ArgumentException.With.Message.Contains("'Count'").And.Message.Contains("default 0 is outside"));
    }

    [Test]
    public void MemberTypeThatCannotBeSearchedIsNamed()
    {
        Assert.That(
            () => HyperparameterSpace.FromOptions<Unsearchable>(),
            Throws.ArgumentException.With.Message.Contains("Member 'Name' of type String cannot be searched with [Range]"));
    }

    [Test]
    public void UnknownParameterCannotBeDecoded()
    {
        var parameters = new TrialParameters([new("Nope", 1)]);
        Assert.That(() => parameters.ToOptions<TreeOptions>(), Throws.ArgumentException.With.Message.Contains("'Nope'"));
    }
}
