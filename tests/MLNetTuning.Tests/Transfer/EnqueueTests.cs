using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Transfer;

public class EnqueueTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Double("x", -5, 5).Double("y", -5, 5).Int("n", 1, 100).Choice("kind", "a", "b", "c").Build();

    private static TpeTuner Tpe(int startup = 10) => new(Space, new TpeTunerOptions { Seed = 3, StartupTrials = startup });

    private static double Objective(TrialParameters p) => Math.Pow(p.Get<double>("x") - 1, 2) + Math.Pow(p.Get<double>("y") + 2, 2) + (p.Get<int>("n") / 100.0);

    [Test]
    public void EnqueuedParametersRunExactlyFirstAndInOrder()
    {
        var study = new TuningStudy(Tpe());
        var first = new Dictionary<string, object?> { ["x"] = 4, ["y"] = -4.5, ["n"] = 7, ["kind"] = "c" };
        var second = new TrialParameters([new("x", -3.25), new("y", 0.5), new("n", 99), new("kind", "a")]);
        study.Enqueue(first);
        study.Enqueue(second);
        Assert.That(study.EnqueuedCount, Is.EqualTo(2));

        var result = study.Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 6 });

        var trials = result.Trials.OrderBy(t => t.Id).ToList();
        Assert.That(trials[0].Parameters, Is.EqualTo(new TrialParameters([new("x", 4.0), new("y", -4.5), new("n", 7), new("kind", "c")])));
        Assert.That(trials[0].Parameters["x"], Is.TypeOf<double>(), "an int given for a double range takes the range's type");
        Assert.That(trials[1].Parameters, Is.EqualTo(second));
        Assert.That(trials[0].Attributes["enqueued"], Is.EqualTo("full"));
        Assert.That(trials.Skip(2).All(t => !t.Attributes.ContainsKey("enqueued")), Is.True);
        Assert.That(study.EnqueuedCount, Is.Zero);
    }

    [Test]
    public void PartialEnqueueIsCompletedByTheTunersProposalForThatTrial()
    {
        var study = new TuningStudy(Tpe());
        study.Enqueue(new Dictionary<string, object?> { ["x"] = 2.5, ["kind"] = "b" });
        var trial = study.Ask()!;

        var expected = Tpe().Propose(0).Parameters;
        Assert.That(trial.Parameters["x"], Is.EqualTo(2.5));
        Assert.That(trial.Parameters["kind"], Is.EqualTo("b"));
        Assert.That(trial.Parameters["y"], Is.EqualTo(expected["y"]));
        Assert.That(trial.Parameters["n"], Is.EqualTo(expected["n"]));
        Assert.That(Space.Contains(trial.Parameters), Is.True);
        Assert.That(trial.Attributes["enqueued"], Does.Contain("completed by the tuner"));
    }

    [Test]
    public void TheTunerLearnsFromEnqueuedTrials()
    {
        // With two startup trials, TPE models from its third proposal only if it was told of the two enqueued ones.
        var study = new TuningStudy(Tpe(startup: 2));
        study.Enqueue(new Dictionary<string, object?> { ["x"] = 1.0, ["y"] = -2.0, ["n"] = 1, ["kind"] = "a" });
        study.Enqueue(new Dictionary<string, object?> { ["x"] = -4.0, ["y"] = 4.0, ["n"] = 90, ["kind"] = "b" });
        for (var i = 0; i < 2; i++)
        {
            var t = study.Ask()!;
            study.Tell(t, Objective(t.Parameters));
        }

        var third = study.Ask()!;
        Assert.That(third.Attributes["tpe"], Is.EqualTo("model"));
        Assert.That(study.BestTrial!.Id, Is.EqualTo(0));
    }

    [Test]
    public void EnqueuedPointsRunEvenWhenTheGridIsExhausted()
    {
        var small = HyperparameterSpace.CreateBuilder().Choice("kind", "a", "b").Build();
        var study = new TuningStudy(new GridTuner(small));
        study.Enqueue(new Dictionary<string, object?> { ["kind"] = "b" });
        var result = study.Optimize(c => 0, new StudyLimits { MaxTrials = 10 });
        Assert.That(result.Trials.Select(t => (string)t.Parameters["kind"]!), Is.EqualTo(new[] { "b", "a" }), "the grid skips the point it was told is taken");
    }

    [Test]
    public void UnknownNamesAndValuesOutsideTheSpaceAreRejectedByName()
    {
        var study = new TuningStudy(Tpe());
        var unknown = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["x"] = 1.0, ["learning_rate"] = 0.1 }))!;
        Assert.That(unknown.Message, Does.Contain("'learning_rate'").And.Contain("not in the search space").And.Contain("Known: kind, n, x, y"));

        var outside = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["x"] = 7.0 }))!;
        Assert.That(outside.Message, Does.Contain("'x'").And.Contain("7").And.Contain("[-5, 5]"));

        var notInteger = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["n"] = 2.5 }))!;
        Assert.That(notInteger.Message, Does.Contain("'n' = '2.5' is not a whole number for its int range"));

        var notNumber = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["x"] = "abc" }))!;
        Assert.That(notNumber.Message, Does.Contain("'x' = 'abc' is not a number for its double range [-5, 5]"));
        Assert.That(outside.Message, Does.Contain("is outside its double range"));

        var badChoice = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["kind"] = "z" }))!;
        Assert.That(badChoice.Message, Does.Contain("'kind'").And.Contain("'z'").And.Contain("a, b, c"));

        Assert.That(study.EnqueuedCount, Is.Zero, "a rejected point is not queued");
    }

    [Test]
    public void ConditionalBranchesCanBeEnqueuedByNameOrWithSomeOfTheirParameters()
    {
        var conditional = new HyperparameterSpace([
            new("trainer", new ConditionalChoice([
                new("Tree", HyperparameterSpace.CreateBuilder().Int("leaves", 2, 64).Build()),
                new("Linear", HyperparameterSpace.CreateBuilder().Double("l2", 0.001, 1, logScale: true).Double("l1", 0, 1).Build()),
            ]))
        ]);
        var study = new TuningStudy(new RandomTuner(conditional, new RandomTunerOptions { Seed = 1 }));
        study.Enqueue(new Dictionary<string, object?> { ["trainer"] = "Tree" });
        study.Enqueue(new Dictionary<string, object?> { ["trainer"] = new BranchSelection("Linear", new TrialParameters([new("l2", 0.5)])) });

        var tree = study.Ask()!;
        var linear = study.Ask()!;
        Assert.That(((BranchSelection)tree.Parameters["trainer"]!).Branch, Is.EqualTo("Tree"));
        var selection = (BranchSelection)linear.Parameters["trainer"]!;
        Assert.That(selection.Branch, Is.EqualTo("Linear"));
        Assert.That(selection.Parameters["l2"], Is.EqualTo(0.5));
        Assert.That(conditional.Contains(tree.Parameters) && conditional.Contains(linear.Parameters), Is.True);

        var wrongBranch = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["trainer"] = "Forest" }))!;
        Assert.That(wrongBranch.Message, Does.Contain("'trainer'").And.Contain("Forest").And.Contain("Linear, Tree"));
        var wrongInner = Assert.Throws<ArgumentException>(() => study.Enqueue(new Dictionary<string, object?> { ["trainer"] = new BranchSelection("Tree", new TrialParameters([new("l2", 0.5)])) }))!;
        Assert.That(wrongInner.Message, Does.Contain("'trainer.Tree.l2'"));
    }
}
