using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners.MultiFidelity;

/// <summary>ASHA with model-based proposals (TPE) and skipping of rungs whose ranking does not carry over.</summary>
public class ModelBasedAshaTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Double("y", 0, 1).Build();

    private static TuningTrial Start(AshaTuner tuner, int id)
    {
        var proposal = tuner.Propose(id);
        var trial = new TuningTrial(id, proposal.Parameters, proposal.Budget, proposal.ParentTrialId);
        trial.Restore(TrialState.Running, null, null, null, null, attributes: proposal.Attributes);
        return trial;
    }

    private static void Finish(AshaTuner tuner, TuningTrial trial, double loss)
    {
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
        tuner.Complete(trial);
    }

    /// <summary>Runs <paramref name="trials"/> sequential trials; the loss at each budget is <paramref name="loss"/>.</summary>
    private static List<TuningTrial> Run(AshaTuner tuner, int trials, Func<TuningTrial, double> loss)
    {
        var all = new List<TuningTrial>();
        for (var id = 0; id < trials; id++)
        {
            var trial = Start(tuner, id);
            Finish(tuner, trial, loss(trial));
            all.Add(trial);
        }

        return all;
    }

    private static double DistanceToGoal(TuningTrial t) => Math.Sqrt(Math.Pow(t.Parameters.Get<double>("x") - 0.8, 2) + Math.Pow(t.Parameters.Get<double>("y") - 0.3, 2));

    [Test]
    public void ModelProposalsMoveTowardTheGoodRegion()
    {
        // One rung (budget 9 only): every configuration is new, and the model sees every result.
        var modelled = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 9, MaxBudget = 9, Seed = 3, Model = ProposalModel.Tpe });
        var uniform = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 9, MaxBudget = 9, Seed = 3 });

        var late = Run(modelled, 60, DistanceToGoal).Skip(30).ToList();
        var lateUniform = Run(uniform, 60, DistanceToGoal).Skip(30).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(modelled.ModelBudget, Is.EqualTo(9.0));
            Assert.That(uniform.ModelBudget, Is.Null);
            Assert.That(late.Average(DistanceToGoal), Is.LessThan(0.5 * lateUniform.Average(DistanceToGoal)), "new configurations concentrate near (0.8, 0.3)");
        });
    }

    [Test]
    public void ModelIsFittedOnTheLargestBudgetWithEnoughResults()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 1, Model = ProposalModel.Tpe });

        // 4 results are needed (2 dimensions + 2, at least 4): rung 0 has them after 4 trials, rung 2 much later.
        Run(tuner, 3, t => DistanceToGoal(t));
        Assert.That(tuner.ModelBudget, Is.Null);
        Run(tuner, 100, t => DistanceToGoal(t));
        Assert.That(tuner.ModelBudget, Is.EqualTo(9.0), "100 more trials bring at least 4 configurations to the top rung");
    }

    [Test]
    public void SkipsARungWhoseRankingDoesNotCarryOverToTheNext()
    {
        var tuner = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5, SkipUninformativeRungs = true });

        // At budget 1 the loss is x, at budget 3 and above it is 1 − x: rung 0 ranks its configurations backwards.
        double Loss(TuningTrial t) => t.Budget < 2 ? t.Parameters.Get<double>("x") : 1 - t.Parameters.Get<double>("x");
        var trials = new List<TuningTrial>();
        int? skippedAfter = null;
        for (var id = 0; id < 60; id++)
        {
            var trial = Start(tuner, id);
            Finish(tuner, trial, Loss(trial));
            trials.Add(trial);
            skippedAfter ??= tuner.StartRung == 1 ? id : null;
        }

        var rung0 = trials.Where(t => t.Budget < 2).Select(t => t.Id).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(skippedAfter, Is.Not.Null.And.LessThan(40), "8 promotions from rung 0 show its ranking reversed");
            Assert.That(tuner.StartRung, Is.EqualTo(1));
            Assert.That(trials.Where(t => t.Id > skippedAfter).Select(t => t.Budget), Is.All.GreaterThan(2.0), "new configurations start at rung 1 (budget 3)");
            Assert.That(trials.Where(t => t.Id > skippedAfter && t.ParentTrialId is int parent && rung0.Contains(parent)), Is.Empty, "nothing is promoted from the skipped rung");
        });
    }

    [Test]
    public void KeepsRungsWhoseRankingCarriesOver()
    {
        var skipping = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5, SkipUninformativeRungs = true });
        var plain = new AshaTuner(Space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Seed = 5 });

        // The same ranking at every budget, shifted down as the budget grows.
        double Loss(TuningTrial t) => t.Parameters.Get<double>("x") - (0.1 * t.Budget!.Value);
        var withSkipping = Run(skipping, 60, Loss);
        var without = Run(plain, 60, Loss);

        Assert.Multiple(() =>
        {
            Assert.That(skipping.StartRung, Is.Zero);
            Assert.That(withSkipping.Select(t => (t.Budget, t.ParentTrialId)), Is.EqualTo(without.Select(t => (t.Budget, t.ParentTrialId))), "the same schedule as without the option");
        });
    }

    [Test]
    public void SpearmanCorrelationOfKnownRankings()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AshaTuner.SpearmanCorrelation([(1, 10), (2, 20), (3, 25), (4, 100)]), Is.EqualTo(1).Within(1e-12));
            Assert.That(AshaTuner.SpearmanCorrelation([(1, 4), (2, 3), (3, 2), (4, 1)]), Is.EqualTo(-1).Within(1e-12));

            // Ranks x 0,1,2,3 and y 1,0,3,2: 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/60 = 0.6 (no ties).
            Assert.That(AshaTuner.SpearmanCorrelation([(1, 2), (2, 1), (3, 4), (4, 3)]), Is.EqualTo(0.6).Within(1e-12));

            // Ties get their mean rank: y ranks 0.5, 0.5, 2 against x 0, 1, 2 gives √3/2.
            Assert.That(AshaTuner.SpearmanCorrelation([(1, 5), (2, 5), (3, 9)]), Is.EqualTo(Math.Sqrt(3) / 2).Within(1e-12));
            Assert.That(AshaTuner.SpearmanCorrelation([(1, 5), (2, 5), (3, 5)]), Is.Zero, "a constant side carries no ranking");
        });
    }
}
