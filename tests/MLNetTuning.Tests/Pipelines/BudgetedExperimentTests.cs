using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using MLNetTuning.Pipelines;
using MLNetTuning.Pruners;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Pipelines;

public class BudgetedExperimentTests
{
    [Test]
    public void UnknownBudgetUnitsAreRejectedNamingTheKnownOnes()
    {
        var tuning = new MLContext(1).Tuning();

        Assert.Multiple(() =>
        {
            Assert.That(() => tuning.BinaryClassification.FastTree().WithBudget("epochs"), Throws.ArgumentException.With.Message.Contains("'FastTree' has no budget unit 'epochs'; its units are: trees, data-fraction"));
            Assert.That(() => tuning.BinaryClassification.SdcaLogisticRegression().WithBudget("trees"), Throws.ArgumentException.With.Message.Contains("its units are: data-fraction"));
            Assert.That(tuning.BinaryClassification.LightGbm().BudgetUnits.Select(u => u.Name), Is.EqualTo(new[] { "iterations", "data-fraction" }));
        });
    }

    [Test]
    public void BudgetRangesOutsideWhatTheUnitAllowsAreRejected()
    {
        var fastTree = new MLContext(1).Tuning().BinaryClassification.FastTree();

        Assert.Multiple(() =>
        {
            Assert.That(() => fastTree.WithBudget("data-fraction", 0.1, 1.5), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at most 1"));
            Assert.That(() => fastTree.WithBudget("data-fraction", 0, 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minimum"));
            Assert.That(() => fastTree.WithBudget("trees", 0.5, 10), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 1"));
            Assert.That(() => fastTree.WithBudget("trees", 50, 10), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maximum"));
        });
    }

    [Test]
    public void ADataFractionTrainsOnANestedRandomShareOfTheRows()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1000).Select(i => new Row { Id = i }));

        var ids = (double fraction) => ml.Data.CreateEnumerable<Row>(TrialBudgets.Subsample(ml, data, fraction, seed: 5), reuseRowObject: false).Select(r => r.Id).ToList();
        var small = ids(0.2);
        var large = ids(0.6);

        Assert.Multiple(() =>
        {
            Assert.That(small, Has.Count.InRange(150, 250));
            Assert.That(large, Has.Count.InRange(540, 660));
            Assert.That(large, Is.SupersetOf(small), "a larger share contains a smaller one");
            Assert.That(small.Max(), Is.GreaterThan(900), "a random share, not the first rows");
            Assert.That(ids(1), Has.Count.EqualTo(1000));
        });
    }

    private sealed class Row
    {
        public int Id { get; set; }
    }

    [Test]
    public void ATreeBudgetReplacesTheSearchedTreeCount()
    {
        var fastTree = new MLContext(1).Tuning().BinaryClassification.FastTree();

        var budgeted = fastTree.WithBudget("trees", 5, 45);

        Assert.Multiple(() =>
        {
            Assert.That(fastTree.Space.ContainsKey("NumberOfTrees"), Is.True);
            Assert.That(budgeted.Space.ContainsKey("NumberOfTrees"), Is.False);
            Assert.That(budgeted.Budget!.ToString(), Is.EqualTo("trees [5, 45]"));
            Assert.That(fastTree.EffectiveBudget.ToString(), Is.EqualTo("trees [10, 200]"), "the preset's default");
        });
    }

    [Test]
    public void TheTunersRangeIsStretchedOverTheTrainersOnALogScale()
    {
        var budget = new TrainingBudget(BudgetUnit.Trees, 8, 216);

        Assert.Multiple(() =>
        {
            Assert.That(budget.AmountFor(1, 1, 27), Is.EqualTo(8).Within(1e-9));
            Assert.That(budget.AmountFor(3, 1, 27), Is.EqualTo(24).Within(1e-9));
            Assert.That(budget.AmountFor(27, 1, 27), Is.EqualTo(216).Within(1e-9));
            Assert.That(() => budget.AmountFor(30, 1, 27), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("outside the tuner's range [1, 27]"));
            Assert.That(() => budget.AmountFor(0.5, 1, 27), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void HyperbandTrainsFastTreeWithTheTreesOfEachRung()
    {
        var ml = new MLContext(1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = tuning.BinaryClassification.FastTree().WithBudget("trees", 4, 36).ToPipeline();
        var experiment = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 30, Seed = 2, ParallelTrials = 2 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 1 }));

        var result = experiment.Run();

        TestContext.Out.WriteLine($"measured: best AUC {result.BestMetric:F4}");
        var expected = new Dictionary<double, string> { [1] = "FastTree: 4 trees", [3] = "FastTree: 12 trees", [9] = "FastTree: 36 trees" };
        Assert.Multiple(() =>
        {
            Assert.That(result.Trials, Has.Count.EqualTo(9 + 3 + 1));
            Assert.That(result.Trials.Select(t => t.State), Is.All.EqualTo(TrialState.Completed));
            Assert.That(result.Trials.Select(t => t.Attributes["budget"]), Is.EqualTo(result.Trials.Select(t => expected[t.Budget!.Value])));
            var leaderboard = result.FormatLeaderboard(3).Split('\n');
            Assert.That(leaderboard[0], Does.EndWith("budget"), "budgets differ between trials, so the leaderboard shows them");
            Assert.That(leaderboard[1], Does.Contain("FastTree: 36 trees at budget 9"), "the best is chosen at the highest budget reached, and says what it trained");
            Assert.That(result.BestTrial!.Budget, Is.EqualTo(9));
            Assert.That(result.Trials.Count(t => t.Attributes["rung"] == "2"), Is.EqualTo(1));
            Assert.That(result.Trials.Select(t => t.IntermediateValues.Single()), Is.EqualTo(result.Trials.Select(t => new KeyValuePair<int, double>((int)t.Budget!.Value, t.Value!.Value))), "each rung's value is kept at its budget, for learning curves");
            Assert.That(result.BestMetric, Is.GreaterThan(0.98), "measured 0.9973");
            Assert.That(TreesOf(result.BestModel), Is.EqualTo(int.Parse(result.BestTrial!.Attributes["budget"].Split(' ')[1], CultureInfo.InvariantCulture)), "the model has the trees its budget gave");
        });
    }

    [Test]
    public void OneExperimentMixesTreeAndDataFractionBudgets()
    {
        var ml = new MLContext(3);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 3);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(
            tuning.BinaryClassification.FastTree().WithBudget("trees", 5, 45),
            tuning.BinaryClassification.SdcaLogisticRegression().WithBudget("data-fraction", 0.2, 1));
        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { Seed = 4, MaxTrials = 13 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = 9 }))
            .Run();

        var notes = result.Trials.Select(t => (Trainer: t.Attributes["trainer"], Budget: t.Budget, Note: t.Attributes["budget"])).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Trials.Count(t => t.State == TrialState.Completed), Is.EqualTo(13));
            Assert.That(notes.Select(n => n.Trainer).Distinct(), Is.EquivalentTo(new[] { "FastTree", "SdcaLogisticRegression" }));
            foreach (var (trainer, budget, note) in notes)
            {
                var expected = (trainer, budget) switch
                {
                    ("FastTree", 1.0) => "FastTree: 5 trees",
                    ("FastTree", 3.0) => "FastTree: 15 trees",
                    ("FastTree", 9.0) => "FastTree: 45 trees",
                    ("SdcaLogisticRegression", 1.0) => "SdcaLogisticRegression: 0.2 of the rows",
                    ("SdcaLogisticRegression", 3.0) => "SdcaLogisticRegression: 0.447 of the rows",
                    ("SdcaLogisticRegression", 9.0) => "SdcaLogisticRegression: 1 of the rows",
                    _ => $"an ASHA rung budget (1, 3 or 9), not {budget}",
                };
                Assert.That(note, Is.EqualTo(expected));
            }
        });
    }

    [Test]
    public void AshaStoppingModeTrainsTreesRungByRungAndStopsLaggards()
    {
        var ml = new MLContext(5);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 5);
        var tuning = ml.Tuning();
        var experiment = tuning.CreateExperiment(tuning.BinaryClassification.FastTree().WithBudget("trees", 4, 36).ToPipeline(), options: new() { Seed = 6, MaxTrials = 12 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Asha(new AshaTunerOptions { MinBudget = 1, MaxBudget = 9, Mode = AshaMode.Stopping }));
        var prunedEvents = new List<int>();
        experiment.TrialPruned += (_, e) => prunedEvents.Add(e.Trial.Id);
        var result = experiment.Run();

        var pruned = result.Trials.Where(t => t.State == TrialState.Pruned).ToList();
        var completed = result.Trials.Where(t => t.State == TrialState.Completed).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pruned, Is.Not.Empty);
            Assert.That(prunedEvents, Is.EquivalentTo(pruned.Select(t => t.Id)), "the experiment tells of every pruned trial");
            Assert.That(completed, Is.Not.Empty);
            Assert.That(pruned.Select(t => t.IntermediateValues.Keys.Max()), Is.All.AnyOf(1, 3), "stopped at rung 0 (4 trees) or rung 1 (12 trees)");
            Assert.That(completed.Select(t => string.Join(",", t.IntermediateValues.Keys)), Is.All.EqualTo("1,3,9"));
            Assert.That(completed.Select(t => t.Attributes["budget"]), Is.All.EqualTo("FastTree: 36 trees"));
        });
    }

    [Test]
    public void APrunerStopsBudgetedTrialsOfARandomSearch()
    {
        var ml = new MLContext(7);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 7);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.BinaryClassification.FastTree().WithBudget("trees", 4, 32).ToPipeline(), options: new() { Seed = 8, MaxTrials = 12 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Random().WithPruner(new MedianPruner(startupTrials: 3)))
            .Run();

        Assert.Multiple(() =>
        {
            Assert.That(result.Trials.Take(3).Select(t => t.State), Is.All.EqualTo(TrialState.Completed), "no pruning during the start-up trials");
            Assert.That(result.Trials.Count(t => t.State == TrialState.Pruned), Is.GreaterThan(0));
            Assert.That(result.Trials.Where(t => t.State == TrialState.Completed).Select(t => t.IntermediateValues.Count), Is.All.EqualTo(4), "4 fits: 4, 8, 16 and 32 trees");
            Assert.That(result.BestTrial!.Attributes["budget"], Is.EqualTo("FastTree: 32 trees"));
        });
    }

    [Test]
    public void SuccessiveHalvingTrainsLightGbmByIterations()
    {
        var ml = new MLContext(9);
        var split = ml.Data.TrainTestSplit(SharedData.Housing(ml), 0.3, seed: 9);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.Regression.LightGbm().ToPipeline(), RegressionTuningMetric.RootMeanSquaredError, options: new() { Seed = 10, MaxTrials = 20 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.SuccessiveHalving(new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 1 }))
            .Run();

        Assert.Multiple(() =>
        {
            Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
            Assert.That(result.Trials.Select(t => t.Attributes["budget"]).Distinct(), Is.EqualTo(new[] { "LightGbm: 10 iterations", "LightGbm: 45 iterations", "LightGbm: 200 iterations" }), "the default range [10, 200] over the rungs 1, 3, 9");
            Assert.That(result.BestTrial!.Budget, Is.Not.Null);
        });
    }

    [Test]
    public void BohbTunesAMulticlassForestByTrees()
    {
        var ml = new MLContext(11);
        var split = ml.Data.TrainTestSplit(SharedData.Iris(ml), 0.3, seed: 11);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.MulticlassClassification.FastForest().WithBudget("trees", 3, 27).ToPipeline(), MulticlassTuningMetric.MacroAccuracy, options: new() { Seed = 12, MaxTrials = 13 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Bohb(new BohbTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 1 }))
            .Run();

        Assert.Multiple(() =>
        {
            Assert.That(result.Trials.Select(t => t.State), Is.All.EqualTo(TrialState.Completed));
            TestContext.Out.WriteLine($"measured: best macro-accuracy {result.BestMetric:F4}");
            Assert.That(result.Trials.Select(t => (t.Budget, t.Attributes["budget"])).Distinct(), Is.EquivalentTo(new[] { ((double?)1.0, "FastForest: 3 trees"), (3.0, "FastForest: 9 trees"), (9.0, "FastForest: 27 trees") }));
            Assert.That(result.BestMetric, Is.GreaterThan(0.93), "measured 0.9667");
        });
    }

    [Test]
    public void ABudgetOutsideTheTunersRangeFailsTheTrialWithAClearError()
    {
        var ml = new MLContext(1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 1);
        var tuning = ml.Tuning();
        var rogue = new TunerFactory("rogue", (space, _) => new RogueTuner(space));
        var result = tuning.CreateExperiment(tuning.BinaryClassification.FastTree().ToPipeline(), options: new() { MaxTrials = 1 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(rogue)
            .Run();

        Assert.That(result.Trials.Single().Error, Does.Contain("The budget 20 is outside the tuner's range [1, 9]"));
    }

    private static int TreesOf(ITransformer model) => model switch
    {
        BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> p => p.Model.SubModel.TrainedTreeEnsemble.Trees.Count,
        IEnumerable<ITransformer> chain => chain.Select(TreesOf).DefaultIfEmpty(-1).Max(),
        _ => -1,
    };

    /// <summary>Declares budgets [1, 9] and proposes 20.</summary>
    private sealed class RogueTuner(HyperparameterSpace space) : IMultiFidelityTuner
    {
        public HyperparameterSpace Space => space;

        public double MinBudget => 1;

        public double MaxBudget => 9;

        public IReadOnlyList<double> RungBudgets => [1, 3, 9];

        public bool StopsOnReports => false;

        public bool IsFinished => false;

        public TrialProposal? Propose(int trialId) => new(space.Defaults, 20);

        public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

        public void Complete(TuningTrial trial)
        {
        }
    }
}
