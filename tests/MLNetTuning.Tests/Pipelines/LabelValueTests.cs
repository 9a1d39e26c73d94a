using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Separate validation or test data whose label has a value the training data lacks is refused: a
/// label mapping fitted on the training data would drop those rows or make them the wrong class, without a word.</summary>
public class LabelValueTests
{
    private sealed class TextRow
    {
        public string Label { get; set; } = "";

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private static IDataView Rows(MLContext ml, int count, int seed, params (string Label, int Count)[] extra)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(_ =>
        {
            var x = new[] { random.NextSingle(), random.NextSingle() };
            return new TextRow { Label = x[0] + x[1] > 1 ? "yes" : "no", Features = x };
        }).ToList();
        foreach (var (label, n) in extra)
        {
            rows.AddRange(Enumerable.Range(0, n).Select(_ => new TextRow { Label = label, Features = [random.NextSingle(), random.NextSingle()] }));
        }

        return ml.Data.LoadFromEnumerable(rows);
    }

    /// <summary>yes/no mapped to a Boolean; an unknown value would silently become false.</summary>
    private static TuningExperiment Binary(MLContext ml)
    {
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.Conversion.MapValue("Label", new[] { new KeyValuePair<string, bool>("no", false), new KeyValuePair<string, bool>("yes", true) })
            .Append(tuning.BinaryClassification.LbfgsLogisticRegression());
        return tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 1, Seed = 1 });
    }

    [Test]
    public void BinaryValidationDataWithAThirdLabelValueIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var experiment = Binary(ml).SetTrainValidationData(Rows(ml, 200, 1), Rows(ml, 100, 2, ("maybe", 3)));

        var error = Assert.Throws<ArgumentException>(() => experiment.Run());
        Assert.That(error!.Message, Does.Contain("validation data").And.Contain("'maybe' in 3 rows (first at row 101)").And.Contain("'no'").And.Contain("'yes'"));
    }

    [Test]
    public void BinaryTestDataWithAThirdLabelValueIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var experiment = Binary(ml).SetTrainValidationSplit(Rows(ml, 300, 1)).SetTestData(Rows(ml, 50, 3, ("Yes ", 1)));

        var error = Assert.Throws<ArgumentException>(() => experiment.Run());
        Assert.That(error!.Message, Does.Contain("test data").And.Contain("'Yes ' in 1 row (first at row 51)"));
    }

    [Test]
    public void MulticlassTestDataWithAClassTheTrainingDataLacksIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(tuning.MulticlassClassification.LbfgsMaximumEntropy());
        var experiment = tuning.CreateExperiment(pipeline, MulticlassTuningMetric.MicroAccuracy, options: new() { MaxTrials = 1, Seed = 1 })
            .SetTrainValidationData(Rows(ml, 200, 1, ("maybe", 20)), Rows(ml, 100, 2, ("maybe", 5)))
            .SetTestData(Rows(ml, 100, 3, ("never", 7)));

        var error = Assert.Throws<ArgumentException>(() => experiment.Run());
        Assert.That(error!.Message, Does.Contain("test data").And.Contain("'never' in 7 rows").And.Contain("multiclass"));
    }

    [Test]
    public void KnownLabelValuesRunAndAreAllScored()
    {
        var ml = new MLContext(seed: 1);
        var result = Binary(ml).SetTrainValidationData(Rows(ml, 200, 1), Rows(ml, 100, 2)).SetTestData(Rows(ml, 80, 3)).Run();

        Assert.That(result.Study.CompletedCount, Is.EqualTo(1), result.FirstError);
        Assert.That(result.Confirmation!.TestRows, Is.EqualTo(80));
    }
}
