using Microsoft.ML;
using MLNetTuning.Cli;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Cli;

/// <summary>--tuner-option NAME=VALUE: sets a property of the tuner's options, or names what is wrong.</summary>
public class TunerOptionTests
{
    private static readonly TunerCatalog Tuners = new MLContext(0).Tuning().Tuners;

    private static TunerFactory Resolve(string tuner, params string[] items) =>
        TunerNames.Resolve(Tuners, tuner, tunerOptions: TunerOptionValues.Parse(items));

    [Test]
    public void ItemsAreParsedCaseInsensitivelyAndNoneGivesNull()
    {
        var values = TunerOptionValues.Parse(["CostAware=false", " startuptrials = 12 "])!;

        Assert.That(values["costaware"], Is.EqualTo("false"));
        Assert.That(values["StartupTrials"], Is.EqualTo("12"));
        Assert.That(TunerOptionValues.Parse([]), Is.Null);
    }

    [Test]
    public void TheValuesReachTheTunersOptions()
    {
        var options = new GaussianProcessTunerOptions();
        TunerOptionValues.Apply(options, "gp", TunerOptionValues.Parse(["CostAware=false", "MaxModelTrials=150", "StartupTrials=null"])!);

        Assert.That(options.CostAware, Is.False);
        Assert.That(options.MaxModelTrials, Is.EqualTo(150));
        Assert.That(options.StartupTrials, Is.Null);
        Assert.That(Resolve("tpe", "StartupTrials=20").Name, Is.EqualTo("tpe"));
    }

    [TestCase(null, null, "a budget of unknown trials", true)]
    [TestCase(30, null, "a budget of 30 trials", false)]
    [TestCase(30, "MaxTrials=500", "a budget of 500 trials", true)]
    public void AutoIsToldTheTrialBudgetUnlessATunerOptionGivesIt(int? trialBudget, string? option, string reason, bool handsOverToTpe)
    {
        var space = MLNetTuning.SearchSpaces.HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Double("y", 0, 1).Build();
        var factory = TunerNames.Resolve(Tuners, "auto", tunerOptions: option is null ? null : TunerOptionValues.Parse([option]), trialBudget: trialBudget);

        var proposal = factory.Create(space, 1).Propose(0)!;

        Assert.That(proposal.Attributes!["auto.reason"], Does.Contain(reason));
        Assert.That(proposal.Attributes!["auto.reason"].Contains("then tpe", StringComparison.Ordinal), Is.EqualTo(handsOverToTpe), "the GP hands over after 200 trials unless the budget is known to end before");
    }

    [TestCase("gp", "Costly=1", "'gp' has no option 'Costly'. It has: ConstantLiar (true or false), CostAware (true or false), MaxModelTrials (a whole number), StartupTrials")]
    [TestCase("gp", "CostAware=maybe", "CostAware takes true or false")]
    [TestCase("gp", "MaxModelTrials=2.5", "MaxModelTrials takes a whole number")]
    [TestCase("gp", "MaxModelTrials=2", "MaxModelTrials must be at least 10.")]
    [TestCase("gp", "Seed=3", "set it with --seed")]
    [TestCase("gp", "TimeBudget=60", "set it with --time")]
    [TestCase("asha", "MinBudget=3", "set it with --min-budget")]
    [TestCase("random", "Anything=1", "'random' has no options to set")]
    [TestCase("gp", "CostAware", "must be NAME=VALUE")]
    [TestCase("gp", "=false", "must be NAME=VALUE")]
    public void BadOptionsNameTheProblem(string tuner, string item, string message)
    {
        var error = Assert.Throws<CliException>(() => Resolve(tuner, item))!;

        Assert.That(error.Message, Does.Contain(message));
        Assert.That(error.Message, Does.Not.Contain("Actual value"), "one line, without the framework's repetition");
        Assert.That(error.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void AnOptionGivenTwiceIsRefused()
    {
        var error = Assert.Throws<CliException>(() => TunerOptionValues.Parse(["CostAware=false", "costaware=true"]))!;

        Assert.That(error.Message, Does.Contain("sets 'costaware' twice"));
    }
}
