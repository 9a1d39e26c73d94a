using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tests.SearchSpaces;

/// <summary>Every invalid space is refused with a message naming the parameter and the problem.</summary>
public class ValidationTests
{
    [Test]
    public void MinNotBelowMax()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Double("lr", 1, 1),
            Throws.ArgumentException.With.Message.Contains("'lr'").And.Message.Contains("min (1) must be less than max (1)"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Int("n", 10, 2),
            Throws.ArgumentException.With.Message.Contains("'n'"));
    }

    [Test]
    public void LogRangeNeedsPositiveMin()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Double("lr", 0, 1, logScale: true),
            Throws.ArgumentException.With.Message.Contains("'lr'").And.Message.Contains("log-scale range needs min > 0"));
    }

    [Test]
    public void NonFiniteBoundsAreRefused()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Double("x", double.NaN, 1),
            Throws.ArgumentException.With.Message.Contains("'x'").And.Message.Contains("finite"));
    }

    [Test]
    public void DefaultOutsideRange()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Double("lr", 0.1, 1, defaultValue: 2),
            Throws.ArgumentException.With.Message.Contains("'lr'").And.Message.Contains("default 2 is outside the range [0.1, 1]"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Choice("c", ["a", "b"], "z"),
            Throws.ArgumentException.With.Message.Contains("'c'").And.Message.Contains("default 'z' is not one of the values"));
    }

    [Test]
    public void EmptyOrDuplicateChoices()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Choice("c"),
            Throws.ArgumentException.With.Message.Contains("'c'").And.Message.Contains("at least one value"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Choice("c", "a", "b", "a"),
            Throws.ArgumentException.With.Message.Contains("'c'").And.Message.Contains("'a' appears more than once"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Choice("c", "a", 1),
            Throws.ArgumentException.With.Message.Contains("one type"));
    }

    [Test]
    public void DuplicateOrBadNames()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Int("x", 0, 1),
            Throws.ArgumentException.With.Message.Contains("'x' is used twice"));
        Assert.That(() => HyperparameterSpace.CreateBuilder().Double("a.b", 0, 1), Throws.ArgumentException.With.Message.Contains("'a.b'"));
        Assert.That(() => HyperparameterSpace.CreateBuilder().Double("", 0, 1), Throws.ArgumentException);
    }

    [Test]
    public void ConditionalNeedsDistinctBranches()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Conditional("t", b => b.Branch("A").Branch("A")),
            Throws.ArgumentException.With.Message.Contains("'t'").And.Message.Contains("branch 'A' appears more than once"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Conditional("t", _ => { }),
            Throws.ArgumentException.With.Message.Contains("at least one branch"));
    }

    [Test]
    public void UnsupportedValueTypes()
    {
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Choice("c", new object(), new object()),
            Throws.ArgumentException.With.Message.Contains("cannot be searched"));
        Assert.That(
            () => HyperparameterSpace.CreateBuilder().Constant("k", new List<int>()),
            Throws.ArgumentException.With.Message.Contains("'k'"));
    }
}
