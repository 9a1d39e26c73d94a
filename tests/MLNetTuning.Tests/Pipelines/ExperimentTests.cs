using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Real ML.NET trainers tuned on the shared data sets and on generated data.</summary>
public class ExperimentTests
{
    [Test]
    public void BinaryChoiceOfFiveTrainersOnBreastCancer()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.25, seed: 1);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(tuning.BinaryClassification.All());
        var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 10, Seed = 7 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .Run();

        Assert.That(result.Trials, Has.Count.EqualTo(10));
        Assert.That(result.Study.CompletedCount, Is.EqualTo(10), result.FirstError);

        TestContext.Out.WriteLine($"measured: best AUC {result.BestMetric:F4}");
        // Breast-cancer is nearly separable.
        Assert.That(result.BestMetric, Is.GreaterThan(0.99), "measured 0.9981");
        Assert.That(result.BestTrial!.Attributes["trainer"], Is.AnyOf("FastTree", "FastForest", "LightGbm", "SdcaLogisticRegression", "LbfgsLogisticRegression"));
        var leaderboard = result.FormatLeaderboard(top: 3).TrimEnd().Split('\n');
        Assert.That(leaderboard, Has.Length.EqualTo(4));
        Assert.That(leaderboard[0], Does.Contain("AreaUnderRocCurve").And.Not.Contain("budget"));
        Assert.That(leaderboard[1], Does.StartWith($"   1  {result.BestTrial.Id,5}  {result.BestTrial.Attributes["trainer"]}"));
        var measured = ml.BinaryClassification.Evaluate(result.BestModel.Transform(split.TestSet)).AreaUnderRocCurve;
        Assert.That(measured, Is.EqualTo(result.BestMetric!.Value).Within(1e-9), "the best model is the one that was measured");
    }

    [Test]
    public void MulticlassOnIrisWithCrossValidation()
    {
        var ml = new MLContext(seed: 2);
        var tuning = ml.Tuning();
        var pipeline = tuning.MulticlassClassification.LbfgsMaximumEntropy().ToPipeline(tuning.MulticlassClassification.LightGbm());
        var result = tuning.CreateExperiment(pipeline, MulticlassTuningMetric.MicroAccuracy, options: new() { MaxTrials = 6, Seed = 3 })
            .SetCrossValidationData(SharedData.Iris(ml), folds: 3)
            .Run();
        Assert.That(result.Study.CompletedCount, Is.EqualTo(6), result.FirstError);
        TestContext.Out.WriteLine($"measured: cross-validated micro-accuracy {result.BestMetric:F4}");
        Assert.That(result.BestMetric, Is.GreaterThan(0.95), "measured 0.9790");

        // After cross-validation the best configuration is refitted on all rows.
        var accuracy = ml.MulticlassClassification.Evaluate(result.BestModel.Transform(SharedData.Iris(ml))).MicroAccuracy;
        TestContext.Out.WriteLine($"measured: refitted accuracy on all rows {accuracy:F4}");
        Assert.That(accuracy, Is.GreaterThan(0.95), "measured 0.9732");
    }

    [Test]
    public void RegressionOnHousingMinimizesRmse()
    {
        var ml = new MLContext(seed: 3);
        var split = ml.Data.TrainTestSplit(SharedData.Housing(ml), 0.2, seed: 3);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(tuning.Regression.FastTree(), tuning.Regression.Sdca(), tuning.Regression.LightGbm());
        var result = tuning.CreateExperiment(pipeline, RegressionTuningMetric.RootMeanSquaredError, options: new() { MaxTrials = 8, Seed = 1 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .Run();
        Assert.That(result.Metric.Direction, Is.EqualTo(OptimizationDirection.Minimize));
        Assert.That(result.BestMetric, Is.EqualTo(result.Trials.Where(t => t.State == TrialState.Completed).Min(t => t.Value)));

        TestContext.Out.WriteLine($"measured: best RMSE {result.BestMetric:F4}");
        // The label's standard deviation is about 9.2; a tuned model must do far better than the mean.
        Assert.That(result.BestMetric, Is.LessThan(3.2), "measured 2.8263");
    }

    [Test]
    public void SameSeedSequentialRunsAreIdentical()
    {
        static IReadOnlyList<(string, double?)> Run()
        {
            var ml = new MLContext(seed: 11);
            var data = GeneratedData.Binary(ml, 400, seed: 4);
            var split = ml.Data.TrainTestSplit(data, 0.3, seed: 4);
            var tuning = ml.Tuning();
            var pipeline = tuning.BinaryClassification.FastTree().ToPipeline(tuning.BinaryClassification.LightGbm(), tuning.BinaryClassification.SdcaLogisticRegression());
            return tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: new() { MaxTrials = 6 })
                .SetTrainValidationData(split.TrainSet, split.TestSet)
                .Run()
                .Trials.Select(t => (t.Parameters.ToJson(), t.Value)).ToList();
        }

        var first = Run();
        Assert.That(Run(), Is.EqualTo(first));
        Assert.That(first.Select(t => t.Item1).Distinct().Count(), Is.EqualTo(6));
    }

    [Test]
    public void CrossValidationKeepsGroupsTogether()
    {
        var ml = new MLContext(seed: 5);
        var data = GeneratedData.Binary(ml, 300, seed: 5);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(), BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 3, Seed = 1 })
            .SetCrossValidationData(data, folds: 4, samplingKeyColumnName: "Group")
            .Run();
        TestContext.Out.WriteLine($"measured: grouped cross-validated AUC {result.BestMetric:F4}");
        Assert.That(result.Study.CompletedCount, Is.EqualTo(3), result.FirstError);
        Assert.That(result.BestMetric, Is.GreaterThan(0.97), "measured 0.9979");
        Assert.That(
            () => tuning.CreateExperiment(tuning.BinaryClassification.FastTree().ToPipeline()).SetCrossValidationData(data, 4, "Team"),
            Throws.ArgumentException.With.Message.Contains("grouping column 'Team'"));
    }

    [Test]
    public void AFailingTrainerFailsItsTrialsOnly()
    {
        var ml = new MLContext(seed: 6);
        var data = GeneratedData.Binary(ml, 300, seed: 6);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 6);
        var tuning = ml.Tuning();
        var space = HyperparameterSpace.CreateBuilder().Double("Threshold", 0, 1).Build();
        var flaky = tuning.CreateTunableEstimator("Flaky", space, (context, p) =>
            p.Get<double>("Threshold") < 0.5
                ? throw new InvalidOperationException("cannot build below 0.5")
                : context.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var experiment = tuning.CreateExperiment(new TunablePipeline().Append(flaky), BinaryTuningMetric.Accuracy, options: new() { MaxTrials = 10, Seed = 2 })
            .SetTrainValidationData(split.TrainSet, split.TestSet);
        var failedEvents = 0;
        experiment.TrialFailed += (_, _) => Interlocked.Increment(ref failedEvents);
        TuningExperimentResult? result = null;
        Assert.That(() => result = experiment.Run(), Throws.Nothing);
        Assert.That(result!.Study.FailedCount, Is.GreaterThan(0).And.LessThan(10));
        Assert.That(failedEvents, Is.EqualTo(result.Study.FailedCount));
        Assert.That(result.FirstError, Is.EqualTo("InvalidOperationException: cannot build below 0.5"));
        Assert.That(result.BestModel, Is.Not.Null);
    }

    [Test]
    public void EveryTrialFailingIsReportedNotThrown()
    {
        var ml = new MLContext(seed: 6);
        var data = GeneratedData.Binary(ml, 100, seed: 6);
        var tuning = ml.Tuning();
        var broken = tuning.CreateTunableEstimator("Broken", HyperparameterSpace.CreateBuilder().Int("k", 1, 3).Build(), (context, p) =>
            p.Get<int>("k") > 0 ? throw new NotSupportedException("always") : context.BinaryClassification.Trainers.FastTree());

        // The up-front schema check builds the default parameters too; an estimator that cannot be built at all is a trial failure, not a crash.
        var result = tuning.CreateExperiment(broken.ToPipeline(), options: new() { MaxTrials = 3, Seed = 1 })
            .SetTrainValidationData(data, data)
            .Run();
        Assert.That(result.AllFailed, Is.True);
        Assert.That(result.BestTrial, Is.Null);
        Assert.That(result.FirstError, Is.EqualTo("NotSupportedException: always"));

        // The model is never a silent null: asking for it throws with the first error, and carries its exception.
        var error = Assert.Throws<InvalidOperationException>(() => _ = result.BestModel)!;
        Assert.That(error.Message, Does.Contain("none of the 3 trials completed (3 failed").And.Contain("the first error, of trial 0: NotSupportedException: always"));
        Assert.That(error.InnerException, Is.TypeOf<NotSupportedException>());
    }

    [Test]
    public void BestModelSavesAndLoads()
    {
        var ml = new MLContext(seed: 8);
        var data = GeneratedData.Binary(ml, 300, seed: 8);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 8);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.BinaryClassification.FastTree().ToPipeline(tuning.BinaryClassification.LightGbm()), options: new() { MaxTrials = 3, Seed = 1 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .Run();
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"best-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(result.BestModel, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            var before = ml.Data.CreateEnumerable<Scored>(result.BestModel.Transform(split.TestSet), reuseRowObject: false).ToList();
            var after = ml.Data.CreateEnumerable<Scored>(loaded.Transform(split.TestSet), reuseRowObject: false).ToList();
            Assert.That(after.Select(s => s.Score), Is.EqualTo(before.Select(s => s.Score)));
            var engine = ml.Model.CreatePredictionEngine<GeneratedData.BinaryRow, Scored>(loaded);
            Assert.That(engine.Predict(new GeneratedData.BinaryRow { Features = [1f, -1f, 0f, 0f] }).PredictedLabel, Is.True);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ParallelTrialsAndTimeBudget()
    {
        var ml = new MLContext(seed: 9);
        var data = GeneratedData.Binary(ml, 400, seed: 9);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 9);
        var tuning = ml.Tuning();
        var result = await tuning.CreateExperiment(
                tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(),
                options: new() { MaxTrials = null, TimeBudget = TimeSpan.FromSeconds(3), ParallelTrials = 2, Seed = 1 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .RunAsync();
        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
        Assert.That(result.Study.CompletedCount, Is.GreaterThanOrEqualTo(2));
        var trials = result.Trials.OrderBy(t => t.StartedAt).ToList();
        Assert.That(trials.Zip(trials.Skip(1)).Any(pair => pair.Second.StartedAt < pair.First.CompletedAt), Is.True, "two trials ran at once");
        Assert.That(result.Study.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "running trials are cancelled at the deadline");
    }

    [Test]
    public void GridTunerOverTheTrainerChoice()
    {
        var ml = new MLContext(seed: 10);
        var data = GeneratedData.Binary(ml, 200, seed: 10);
        var tuning = ml.Tuning();
        var trainers = new[] { "A", "B" }.Select(name => tuning.CreateTunableEstimator(
            name,
            HyperparameterSpace.CreateBuilder().Choice("L2", 0.1f, 1f).Build(),
            (context, p) => context.BinaryClassification.Trainers.LbfgsLogisticRegression(l2Regularization: p.Get<float>("L2")))).ToArray();
        var result = tuning.CreateExperiment(new TunablePipeline().Append(trainers), options: new() { MaxTrials = 50 })
            .SetTuner(tuning.Tuners.Grid())
            .SetTrainValidationData(data, data)
            .Run();
        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(result.Trials.Select(t => t.Attributes["trainer"]), Is.EquivalentTo(new[] { "A", "A", "B", "B" }));
    }

    private sealed class Scored
    {
        public bool PredictedLabel { get; set; }

        public float Score { get; set; }
    }
}
