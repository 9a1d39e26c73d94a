using System.Globalization;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using MLNetTuning.Tests.Evaluation;
using MLNetTuning.Visualization;

namespace MLNetTuning.Tests.Visualization;

/// <summary>The report's test-set section: read from the stored study when the study was confirmed on test rows,
/// replaced by an explanation when it was not.</summary>
public class StudyReportTestSectionTests
{
    private static (TuningExperimentResult Result, InMemoryTrialStore Store) Run(bool withTest)
    {
        var ml = new MLContext(2);
        var tuning = ml.Tuning();
        var store = new InMemoryTrialStore();
        var experiment = tuning.CreateExperiment(tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(), BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 4, Seed = 5, Store = store, StudyName = "loans", ConfirmTopTrials = 3 })
            .SetTrainValidationSplit(EvaluationData.Binary(ml, 600, seed: 4), 0.25);
        if (withTest)
        {
            experiment.SetTestFraction(0.2);
        }

        return (experiment.Run(), store);
    }

    [Test]
    public void AConfirmedStudyKeepsItsTestEvaluationAndTheReportOfTheStoredStudyShowsIt()
    {
        var (result, store) = Run(withTest: true);
        var confirmation = result.Confirmation!;

        var snapshot = StudySnapshot.Load(store, "loans");
        var test = snapshot.TestEvaluation;
        Assert.That(test, Is.Not.Null, "the confirmation is kept with the stored study");
        Assert.That(test!.MetricName, Is.EqualTo("AreaUnderRocCurve"));
        Assert.That(test.Rows, Is.EqualTo(confirmation.TestRows));
        Assert.That(test.Best.Test, Is.EqualTo(confirmation.Best.TestMetric.Value));
        Assert.That(test.Best.Optimism, Is.EqualTo(confirmation.Best.Optimism));
        Assert.That(test.Trials.Select(t => t.TrialId), Is.EqualTo(confirmation.Trials.Select(t => t.TrialId)));

        var html = StudyReport.Build(snapshot);
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        Assert.That(html, Does.Contain("id=\"test-evaluation\"").And.Not.Contain("id=\"no-test-evaluation\""));
        Assert.That(html, Does.Contain($"<strong>{F(confirmation.Best.TestMetric.Value)}</strong>"));
        Assert.That(html, Does.Contain($"interval {F(confirmation.Best.TestMetric.Low)} to {F(confirmation.Best.TestMetric.High)}"));
        Assert.That(html, Does.Contain($"optimism {confirmation.Best.Optimism.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)}"));
        Assert.That(html, Does.Contain($"Validation {F(confirmation.Best.ValidationMetric)} against test {F(confirmation.Best.TrainOnlyTestMetric.Value)}"));
        var table = html[html.IndexOf("id=\"test-trials\"", StringComparison.Ordinal)..html.IndexOf("</table>", html.IndexOf("id=\"test-trials\"", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.That(table.Split("<tr>").Length - 2, Is.EqualTo(3), "one row per confirmed trial");
    }

    [Test]
    public void AStudyWithoutTestRowsGetsAReportThatSaysSo()
    {
        var (result, store) = Run(withTest: false);
        Assert.That(result.Confirmation, Is.Null);

        var snapshot = StudySnapshot.Load(store, "loans");
        Assert.That(snapshot.TestEvaluation, Is.Null);
        var html = StudyReport.Build(snapshot);
        Assert.That(html, Does.Contain("id=\"no-test-evaluation\"").And.Not.Contain("id=\"test-evaluation\""));
        Assert.That(html, Does.Contain("the study held no test rows back"));
    }

    [Test]
    public void AnUnreadableTestEvaluationIsAFormatErrorThatSaysWhat()
    {
        Assert.That(() => StudyTestEvaluation.Parse("[1]"), Throws.InstanceOf<FormatException>().With.Message.Contains("not a JSON object"));
        Assert.That(() => StudyTestEvaluation.Parse("{\"rows\": 3}"), Throws.InstanceOf<FormatException>().With.Message.Contains("'confidence'"));
        Assert.That(() => StudyTestEvaluation.Parse("{"), Throws.InstanceOf<FormatException>().With.Message.Contains("not readable"));
    }
}
