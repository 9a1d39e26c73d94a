using Microsoft.ML;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Bad inputs to an experiment fail before any trial, with a message that names the problem.</summary>
public class BadInputTests
{
    private MLContext _ml = null!;
    private IDataView _data = null!;
    private TuningCatalog _tuning = null!;

    [SetUp]
    public void SetUp()
    {
        _ml = new MLContext(seed: 1);
        _data = GeneratedData.Binary(_ml, 100, seed: 1);
        _tuning = _ml.Tuning();
    }

    [Test]
    public void NoData()
    {
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline());
        Assert.That(() => experiment.Run(), Throws.InvalidOperationException.With.Message.Contains("SetTrainValidationData"));
    }

    [Test]
    public void EmptyData()
    {
        var empty = GeneratedData.Empty(_ml);
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline());
        Assert.That(() => experiment.SetTrainValidationData(empty, _data).Run(), Throws.ArgumentException.With.Message.EqualTo("The training data is empty."));
        Assert.That(() => experiment.SetTrainValidationData(_data, empty).Run(), Throws.ArgumentException.With.Message.EqualTo("The validation data is empty."));
        Assert.That(() => experiment.SetCrossValidationData(empty).Run(), Throws.ArgumentException.With.Message.EqualTo("The data is empty."));
    }

    [Test]
    public void UnknownLabelColumn()
    {
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree(labelColumnName: "IsFraud").ToPipeline(), labelColumnName: "IsFraud")
            .SetTrainValidationData(_data, _data);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("'IsFraud'").And.Message.Contains("Columns of the data: Label (Boolean)"));

        var evaluatedOnly = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline(), labelColumnName: "Target")
            .SetTrainValidationData(_data, _data);
        Assert.That(() => evaluatedOnly.Run(), Throws.ArgumentException.With.Message.Contains("Unknown label column 'Target'"));
    }

    [Test]
    public void UnknownFeatureColumn()
    {
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.LightGbm(featureColumnName: "Pixels").ToPipeline())
            .SetTrainValidationData(_data, _data);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("'LightGbm' does not fit the data").And.Message.Contains("Pixels"));
    }

    [Test]
    public void WrongLabelTypeForTheTask()
    {
        var housing = SharedData.Housing(_ml);
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline())
            .SetTrainValidationData(housing, housing);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("'FastTree' does not fit the data").And.Message.Contains("Label"));
    }

    [Test]
    public void ValidationDataMissingAColumn()
    {
        var other = _ml.Transforms.DropColumns("Group").Fit(_data).Transform(_data);
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline()).SetTrainValidationData(_data, other);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("lacks the column(s) 'Group'"));
    }

    [Test]
    public void BadSettings()
    {
        Assert.That(() => new TuningExperimentOptions { MaxTrials = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxTrials"));
        Assert.That(() => new TuningExperimentOptions { ParallelTrials = 0 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("ParallelTrials"));
        Assert.That(() => new TuningExperimentOptions { TimeBudget = TimeSpan.Zero }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("TimeBudget"));
        var experiment = _tuning.CreateExperiment(_tuning.BinaryClassification.FastTree().ToPipeline());
        Assert.That(() => experiment.SetCrossValidationData(_data, folds: 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 2 folds"));
        Assert.That(
            () => new TunablePipeline().Append(_tuning.BinaryClassification.FastTree(), _tuning.BinaryClassification.FastTree()),
            Throws.ArgumentException.With.Message.Contains("named 'FastTree'"));
    }

    [Test]
    public void LogLossNeedsACalibratedTrainer()
    {
        var uncalibrated = _tuning.CreateTunableEstimator(
            "Svm",
            MLNetTuning.SearchSpaces.HyperparameterSpace.Empty,
            (context, _) => context.BinaryClassification.Trainers.LinearSvm());
        var result = _tuning.CreateExperiment(uncalibrated.ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = 1 })
            .SetTrainValidationData(_data, _data)
            .Run();
        Assert.That(result.FirstError, Does.Contain("LogLoss needs a Probability column"));
    }
}
