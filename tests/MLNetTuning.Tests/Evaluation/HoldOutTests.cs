using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>Test rows are split off first and never reach a trial; splits keep groups whole and follow time.</summary>
public class HoldOutTests
{
    private static TuningExperiment Experiment(MLContext ml, ConcurrentDictionary<int, byte> seen, ConcurrentDictionary<int, byte> seenDuringStudy, int trials = 4, int seed = 5)
    {
        var tuning = ml.Tuning();
        var pipeline = EvaluationData.Recorder(ml, seen).Append(tuning.BinaryClassification.LbfgsLogisticRegression(), tuning.BinaryClassification.SdcaLogisticRegression());
        var experiment = tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: new() { MaxTrials = trials, Seed = seed });

        // The last trial's completion comes before the confirmation: what was seen by then, the study saw.
        experiment.TrialCompleted += (_, _) =>
        {
            foreach (var id in seen.Keys)
            {
                seenDuringStudy.TryAdd(id, 0);
            }
        };
        return experiment;
    }

    [Test]
    public void RowsOfSetTestDataNeverReachATrialButAreScoredAfterwards()
    {
        var ml = new MLContext(1);
        var seen = new ConcurrentDictionary<int, byte>();
        var during = new ConcurrentDictionary<int, byte>();
        var result = Experiment(ml, seen, during)
            .SetTrainValidationSplit(EvaluationData.Binary(ml, 600, seed: 1), 0.25)
            .SetTestData(EvaluationData.Binary(ml, 300, seed: 2, firstId: 100_000))
            .Run();

        Assert.That(result.Study.CompletedCount, Is.EqualTo(4), result.FirstError);
        Assert.That(during.Keys.Where(id => id >= 100_000), Is.Empty, "no test row reached a trial");
        Assert.That(during.Keys.Count(id => id < 100_000), Is.EqualTo(600), "every training and validation row did");
        Assert.That(seen.Keys.Count(id => id >= 100_000), Is.EqualTo(300), "the confirmation scored every test row");
        Assert.That(result.Confirmation!.TestRows, Is.EqualTo(300));
    }

    [Test]
    public void TestFractionRowsNeverReachATrial()
    {
        var ml = new MLContext(1);
        var seen = new ConcurrentDictionary<int, byte>();
        var during = new ConcurrentDictionary<int, byte>();
        var result = Experiment(ml, seen, during)
            .SetCrossValidationData(EvaluationData.Binary(ml, 1000, seed: 3), folds: 3)
            .SetTestFraction(0.2)
            .Run();

        Assert.That(result.Confirmation!.TestRows, Is.EqualTo(200));
        var afterwards = seen.Keys.Except(during.Keys).ToList();
        Assert.That(during, Has.Count.EqualTo(800), "the study saw exactly the 800 rows left after the test rows");
        Assert.That(afterwards, Has.Count.EqualTo(200), "the 200 test rows were first seen by the confirmation");
    }

    [Test]
    public void SeparateTrainAndValidationDataAreJoinedForTheRefit()
    {
        var ml = new MLContext(1);
        var seen = new ConcurrentDictionary<int, byte>();
        var during = new ConcurrentDictionary<int, byte>();
        var test = EvaluationData.Binary(ml, 300, seed: 2, firstId: 100_000);
        var result = Experiment(ml, seen, during, trials: 2)
            .SetTrainValidationData(EvaluationData.Binary(ml, 400, seed: 1), EvaluationData.Binary(ml, 200, seed: 3, firstId: 50_000))
            .SetTestData(test)
            .Run();

        var best = result.Confirmation!.Best;
        Assert.That(during.Keys.Count(id => id >= 50_000 && id < 100_000), Is.EqualTo(200), "the validation rows were scored during the study");
        Assert.That(best.Model, Is.SameAs(result.BestModel));
        Assert.That(best.Model, Is.Not.SameAs(best.TrainOnlyModel), "the refit is a new model on train + validation");
        Assert.That(ml.BinaryClassification.Evaluate(result.BestModel!.Transform(test)).Accuracy, Is.EqualTo(best.TestMetric.Value).Within(1e-12));
        var refit = ml.Data.TakeRows(new ConcatenatedView(EvaluationData.Binary(ml, 400, seed: 1), EvaluationData.Binary(ml, 200, seed: 3, firstId: 50_000)), 1000);
        Assert.That(refit.GetColumn<int>("Id").ToList(), Has.Count.EqualTo(600).And.Contains(50_199).And.Contains(0));
    }

    [Test]
    public void GroupedHoldOutKeepsEveryGroupOnOneSide()
    {
        var ml = new MLContext(1);
        var data = EvaluationData.Binary(ml, 1000, seed: 4);
        var (rest, test) = DataSplitter.HoldOut(data, 0.2, new SplitColumns("Group", null), seed: 3, "test set");
        var restGroups = rest.GetColumn<string>("Group").ToHashSet();
        var testGroups = test.GetColumn<string>("Group").ToHashSet();
        Assert.That(restGroups.Intersect(testGroups), Is.Empty);
        Assert.That(testGroups, Has.Count.EqualTo(5), "25 groups of 40 rows: 200 rows are 5 groups");
        Assert.That(test.GetRowCount(), Is.EqualTo(200));
    }

    [Test]
    public void OrderedHoldOutTakesTheLatestRowsAndFoldsChainForward()
    {
        var ml = new MLContext(1);
        var rows = EvaluationData.Rows(500, seed: 5);
        new Random(1).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        var data = ml.Data.LoadFromEnumerable(rows);
        var order = new SplitColumns(null, "Time");
        var (rest, test) = DataSplitter.HoldOut(data, 0.2, order, seed: 1, "test set");
        Assert.That(test.GetColumn<float>("Time").Min(), Is.EqualTo(400f));
        Assert.That(rest.GetColumn<float>("Time").Max(), Is.EqualTo(399f));

        var folds = DataSplitter.Folds(rest, 4, order, seed: 1);
        Assert.That(folds, Has.Count.EqualTo(4));
        foreach (var fold in folds)
        {
            Assert.That(fold.Train.GetColumn<float>("Time").Max(), Is.LessThan(fold.Validation.GetColumn<float>("Time").Min()), "a fold never trains on its future");
        }

        Assert.That(folds[^1].Validation.GetColumn<float>("Time").Max(), Is.EqualTo(399f));
    }

    [Test]
    public void RandomFoldsPartitionTheRowsAndKeepGroups()
    {
        var ml = new MLContext(1);
        var data = EvaluationData.Binary(ml, 500, seed: 6);
        var folds = DataSplitter.Folds(data, 5, new SplitColumns("Group", null), seed: 2);
        var validationIds = folds.SelectMany(f => f.Validation.GetColumn<int>("Id")).ToList();
        Assert.That(validationIds, Is.EquivalentTo(Enumerable.Range(0, 500)), "each row is validated exactly once");
        foreach (var fold in folds)
        {
            Assert.That(fold.Train.GetColumn<string>("Group").Intersect(fold.Validation.GetColumn<string>("Group")), Is.Empty);
        }
    }
}
