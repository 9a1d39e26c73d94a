using Microsoft.ML;
using MLNetTuning.Cli;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Cli;

public class ColumnInferenceTests
{
    private static string Write(string name, string text)
    {
        var path = Path.Combine(StoreTestKit.TempFolder(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Columns_are_typed_numeric_boolean_or_text_with_missing_values_allowed()
    {
        var path = Write("mixed.tsv", "n\tflag\tcity\tgap\tlabel\n1.5\ttrue\tParis\t\tyes\nNA\tFALSE\tOslo\t\tno\n-3e2\tfalse\t\"Rome, IT\"\t\tyes\n");

        var file = TabularFile.Inspect(path);

        Assert.That(file.Separator, Is.EqualTo('\t'));
        Assert.That(file.RowCount, Is.EqualTo(3));
        Assert.That(file.Columns.Select(c => c.Kind), Is.EqualTo(new[] { ColumnKind.Numeric, ColumnKind.Boolean, ColumnKind.Categorical, ColumnKind.Ignore, ColumnKind.Categorical }));
        Assert.That(file.DistinctValues("city"), Does.Contain("Rome, IT"));
    }

    [Test]
    public void Ragged_rows_and_duplicate_headers_are_named()
    {
        Assert.That(Assert.Throws<CliException>(() => TabularFile.Inspect(Write("ragged.csv", "a,b\n1,2\n3\n")))!.Message, Does.Contain("Line 3").And.Contain("1 fields"));
        Assert.That(Assert.Throws<CliException>(() => TabularFile.Inspect(Write("dup.csv", "a,a\n1,2\n")))!.Message, Does.Contain("'a' appears twice"));
    }

    [TestCase(TuningTask.BinaryClassification, "approved", "LbfgsLogisticRegression")]
    [TestCase(TuningTask.MulticlassClassification, "employment", "LbfgsMaximumEntropy")]
    [TestCase(TuningTask.Regression, "credit_score", "Sdca")]
    public void Every_task_builds_a_pipeline_that_fits_the_sample_data(TuningTask task, string label, string trainer)
    {
        var ml = new MLContext(1);
        var file = TabularFile.Inspect(Path.Combine(SamplesFolder(), "loans.csv"));

        var prepared = PreparedData.Build(ml, file, label, task, [trainer], null, 0.2, 1);
        var model = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);
        var value = prepared.Metric.Evaluate(ml, model.Transform(prepared.Validation), PreparedData.LabelColumn);

        Assert.That(value, Is.Not.NaN);
        Assert.That(prepared.FeatureColumns, Has.No.Member(label).And.Count.EqualTo(8));
    }

    [Test]
    public void A_label_unfit_for_the_task_is_named()
    {
        var ml = new MLContext(1);
        var file = TabularFile.Inspect(Path.Combine(SamplesFolder(), "loans.csv"));

        var binary = Assert.Throws<CliException>(() => PreparedData.Build(ml, file, "employment", TuningTask.BinaryClassification, [], null, 0.2, 1));
        var regression = Assert.Throws<CliException>(() => PreparedData.Build(ml, file, "purpose", TuningTask.Regression, [], null, 0.2, 1));

        Assert.That(binary!.Message, Does.Contain("'employment' has a third value"));
        Assert.That(regression!.Message, Does.Contain("numeric label").And.Contain("'purpose'"));
    }

    private static string SamplesFolder()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "samples", "data")))
            {
                return Path.Combine(dir.FullName, "samples", "data");
            }
        }

        Assert.Fail("samples/data not found");
        return "";
    }
}
