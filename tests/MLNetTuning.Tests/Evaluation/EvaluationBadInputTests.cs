using Microsoft.ML;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>Bad test data, fractions and fold counts fail before any trial, with a message that names the problem.</summary>
public class EvaluationBadInputTests
{
    private sealed class OtherRow
    {
        public bool Label { get; set; }

        public float Income { get; set; }
    }

    private MLContext _ml = null!;
    private TuningCatalog _tuning = null!;

    [SetUp]
    public void SetUp()
    {
        _ml = new MLContext(1);
        _tuning = _ml.Tuning();
    }

    private TuningExperiment Experiment() =>
        _tuning.CreateExperiment(_tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(), options: new() { MaxTrials = 2, Seed = 1 });

    [Test]
    public void TestDataWithOtherColumns()
    {
        var other = _ml.Data.LoadFromEnumerable(new[] { new OtherRow { Label = true, Income = 1 } });
        var experiment = Experiment().SetTrainValidationSplit(EvaluationData.Binary(_ml, 200, seed: 1)).SetTestData(other);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.StartsWith("The test data lacks the column(s) 'Id', 'Features'"));
    }

    [Test]
    public void EmptyTestData()
    {
        var empty = _ml.Data.LoadFromEnumerable(new List<EvaluationData.Row>());
        var experiment = Experiment().SetTrainValidationSplit(EvaluationData.Binary(_ml, 200, seed: 1)).SetTestData(empty);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.EqualTo("The test data is empty."));
    }

    [TestCase(0.0)]
    [TestCase(-0.1)]
    [TestCase(0.6)]
    [TestCase(double.NaN)]
    public void TestFractionOutsideTheRange(double fraction)
    {
        Assert.That(() => Experiment().SetTestFraction(fraction), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("The test fraction must lie in (0, 0.5]"));
    }

    [Test]
    public void TestFractionWithSeparateValidationData()
    {
        var data = EvaluationData.Binary(_ml, 200, seed: 1);
        var experiment = Experiment().SetTrainValidationData(data, data).SetTestFraction(0.2);
        Assert.That(() => experiment.Run(), Throws.InvalidOperationException.With.Message.Contains("split off the data in one piece"));
    }

    [Test]
    public void UnknownGroupOrOrderColumn()
    {
        var data = EvaluationData.Binary(_ml, 200, seed: 1);
        Assert.That(() => Experiment().SetTrainValidationSplit(data, 0.2, samplingKeyColumnName: "Customer"), Throws.ArgumentException.With.Message.StartsWith("The grouping column 'Customer' is not in the data."));
        Assert.That(() => Experiment().SetCrossValidationData(data, 3, orderColumnName: "When"), Throws.ArgumentException.With.Message.StartsWith("The order column 'When' is not in the data."));
        Assert.That(() => Experiment().SetCrossValidationData(data, 3, orderColumnName: "Group"), Throws.ArgumentException.With.Message.Contains("must be a number or a date"));
    }

    [Test]
    public void TooFewGroupsForTheFolds()
    {
        var data = EvaluationData.Binary(_ml, 200, seed: 1);
        var experiment = Experiment().SetCrossValidationData(data, 3, orderColumnName: "Time").SetTestFraction(0.5);
        Assert.That(experiment.Run().Study.CompletedCount, Is.EqualTo(2), "100 rows in 4 time blocks are enough");
        var grouped = Experiment().SetTrainValidationSplit(_ml.Data.LoadFromEnumerable(EvaluationData.Rows(50, 1).Select(r => { r.Group = "one"; return r; })), 0.2, samplingKeyColumnName: "Group");
        Assert.That(() => grouped.Run(), Throws.ArgumentException.With.Message.Contains("too few groups of 'Group' to split"));
    }

    [Test]
    public void NestedCrossValidationWithTooFewRowsPerFoldAndClass()
    {
        var rows = EvaluationData.Rows(120, seed: 2);
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Label = i < 10;
        }

        var experiment = Experiment().SetNestedCrossValidation(_ml.Data.LoadFromEnumerable(rows), outerFolds: 5, innerFolds: 5);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.EqualTo(
            "Nested cross-validation with 5 outer and 5 inner folds needs at least 2 rows per inner fold and class, but the data has only 10 rows of class '1': about 1.6 per inner fold. Use fewer folds or more data."));
        Assert.That(() => Experiment().SetNestedCrossValidation(_ml.Data.LoadFromEnumerable(rows), outerFolds: 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
