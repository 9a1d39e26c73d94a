using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Cli;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Tests.BadInput;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Cli;

/// <summary>The CLI's data checks over whole files: labels, late values, ragged rows, bad numeric cells, column kinds
/// and the reserved internal column names.</summary>
public class DataChecksTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = StoreTestKit.TempFolder();

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void Rows_without_a_label_are_dropped_and_counted_never_trained_as_the_negative_class()
    {
        var path = CsvFiles.Binary(_folder, "missing.csv", 300, i => i % 20 == 0 ? "NA" : i % 20 == 1 ? "" : null);
        var ml = new MLContext(1);

        var prepared = PreparedData.Build(ml, TabularFile.Inspect(path), "label", TuningTask.BinaryClassification, ["LbfgsLogisticRegression"], null, 0.2, 1);

        Assert.That(prepared.Label.DroppedRows, Is.EqualTo(30));
        var labels = Labels<bool>(ml, prepared);
        Assert.That(labels, Has.Count.EqualTo(270), "only the labelled rows are trained and measured");
        var yes = File.ReadLines(path).Skip(1).Count(l => l.EndsWith(",yes", StringComparison.Ordinal));
        Assert.That(labels.Count(l => l), Is.EqualTo(yes));
    }

    [Test]
    public void A_third_binary_value_after_row_20000_is_an_error_naming_the_value_and_its_line()
    {
        var path = CsvFiles.Binary(_folder, "late.csv", 25_000, i => i == 24_000 ? "maybe" : null);

        var error = Assert.Throws<CliException>(() => LabelCheck.Of(TabularFile.Inspect(path), "label", TuningTask.BinaryClassification));

        Assert.That(error!.Message, Does.Contain("third value 'maybe'").And.Contain("line 24002"));
        Assert.That(error.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void A_class_first_seen_after_row_20000_is_a_class_of_a_multiclass_label()
    {
        var path = CsvFiles.Binary(_folder, "late-class.csv", 21_000, i => i >= 20_500 ? "late" : null);
        var ml = new MLContext(1);

        var prepared = PreparedData.Build(ml, TabularFile.Inspect(path), "label", TuningTask.MulticlassClassification, ["LbfgsMaximumEntropy"], null, 0.2, 1);

        Assert.That(prepared.Label.Classes, Is.EqualTo(new[] { "yes", "no", "late" }).Or.EqualTo(new[] { "no", "yes", "late" }));
        var model = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);
        var keys = model.Transform(prepared.Validation).GetColumn<uint>(PreparedData.LabelColumn).ToList();
        Assert.That(keys, Has.None.EqualTo(0u), "no validation row maps to a missing class");
        Assert.That(keys.Distinct().Count(), Is.EqualTo(3));
    }

    [Test]
    public void A_ragged_row_after_row_20000_is_found()
    {
        var path = CsvFiles.Binary(_folder, "ragged.csv", 22_000, line: i => i == 21_500 ? "1,2,c" : null);

        var error = Assert.Throws<CliException>(() => TabularFile.Inspect(path));

        Assert.That(error!.Message, Does.Contain("Line 21502").And.Contain("3 fields"));
    }

    [Test]
    public void The_row_count_is_that_of_the_whole_file()
    {
        var path = CsvFiles.Binary(_folder, "big.csv", 23_456);

        Assert.That(TabularFile.Inspect(path).RowCount, Is.EqualTo(23_456));
    }

    [Test]
    public void A_regression_label_drops_missing_and_non_numeric_values_with_a_warning()
    {
        var path = CsvFiles.Binary(_folder, "reg.csv", 400, i => i == 7 ? "oops" : i % 50 == 3 ? "NA" : (i % 13).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ml = new MLContext(1);

        var prepared = PreparedData.Build(ml, TabularFile.Inspect(path), "label", TuningTask.Regression, ["Sdca"], null, 0.2, 1);

        Assert.That(prepared.Label.DroppedRows, Is.EqualTo(9));
        Assert.That(prepared.Label.Warning, Does.Contain("'oops'").And.Contain("line 9"));
        Assert.That(Labels<float>(ml, prepared), Has.Count.EqualTo(391).And.None.NaN);
    }

    [Test]
    public void Feature_columns_named_Label_or_Features_never_become_the_target_or_the_feature_vector()
    {
        var path = CsvFiles.Leaky(_folder, 300);
        var ml = new MLContext(1);
        var file = TabularFile.Inspect(path);

        var prepared = PreparedData.Build(ml, file, "y", TuningTask.Regression, ["Sdca"], null, 0.2, 1);
        var model = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);
        var scored = model.Transform(prepared.Validation);

        Assert.That(prepared.FeatureColumns, Is.EqualTo(new[] { "x1", "x2", "Label", "Features" }));
        Assert.That(scored.GetColumn<float>(PreparedData.LabelColumn), Is.EqualTo(scored.GetColumn<float>("y")));
        Assert.That(scored.Schema[PreparedData.FeaturesColumn].Type, Is.InstanceOf<VectorDataViewType>().And.Property("Size").EqualTo(4));
        Assert.That(ml.Regression.Evaluate(scored, PreparedData.LabelColumn).RSquared, Is.LessThan(0.3), "y is noise: a high R² means the target leaked into the features");
    }

    [Test]
    public void A_header_with_the_reserved_prefix_is_refused()
    {
        var path = CsvFiles.Write(_folder, "reserved.csv", "a,__mlnet_tune_label,label\n1,2,yes\n3,4,no\n");

        Assert.That(Assert.Throws<CliException>(() => TabularFile.Inspect(path))!.Message, Does.Contain("'__mlnet_tune_label'").And.Contain("reserves"));
    }

    [Test]
    public void A_numeric_column_with_two_bad_cells_stays_numeric_and_warns_with_count_and_example()
    {
        var path = CsvFiles.Binary(_folder, "bad-cells.csv", 500, line: i => i == 10 ? "12k,0.5,c1,yes" : i == 400 ? "n.a.,0.1,c2,no" : null);

        var file = TabularFile.Inspect(path);

        Assert.That(file.Column("x1").Kind, Is.EqualTo(ColumnKind.Numeric));
        var warning = file.Warnings("label").Single();
        Assert.That(warning, Does.Contain("'x1'").And.Contain("2 of 500").And.Contain("'12k'").And.Contain("line 12"));
    }

    [Test]
    public void A_column_with_more_than_two_percent_non_numbers_is_not_numeric()
    {
        var path = CsvFiles.Binary(_folder, "many-bad.csv", 100, line: i => i < 3 ? $"bad{i},0.5,c1,yes" : null);

        Assert.That(TabularFile.Inspect(path).Column("x1").Kind, Is.Not.EqualTo(ColumnKind.Numeric));
    }

    [Test]
    public void Bad_numeric_cells_load_as_missing_values_and_the_pipeline_trains()
    {
        var path = CsvFiles.Binary(_folder, "bad-cells.csv", 500, line: i => i == 10 ? "12k,0.5,c1,yes" : null);
        var ml = new MLContext(1);

        var prepared = PreparedData.Build(ml, TabularFile.Inspect(path), "label", TuningTask.BinaryClassification, ["LbfgsLogisticRegression"], null, 0.2, 1);
        var model = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);

        Assert.That(prepared.Metric.Evaluate(ml, model.Transform(prepared.Validation), PreparedData.LabelColumn), Is.GreaterThan(0.8));
    }

    [Test]
    public void Column_kinds_can_be_overridden_and_ignored_columns_are_no_features()
    {
        var path = CsvFiles.Binary(_folder, "kinds.csv", 300);
        var ml = new MLContext(1);
        var file = TabularFile.Inspect(path).WithKinds(new Dictionary<string, ColumnKind> { ["city"] = ColumnKind.Ignore, ["x2"] = ColumnKind.Categorical });

        var prepared = PreparedData.Build(ml, file, "label", TuningTask.BinaryClassification, ["LbfgsLogisticRegression"], null, 0.2, 1);

        Assert.That(prepared.FeatureColumns, Is.EqualTo(new[] { "x1", "x2" }));
        Assert.That(file.Column("x2").Overridden, Is.True);
        Assert.That(Assert.Throws<CliException>(() => file.WithKinds(new Dictionary<string, ColumnKind> { ["nope"] = ColumnKind.Text }))!.Message, Does.Contain("'nope'"));
    }

    [Test]
    public void A_boolean_column_with_missing_values_is_categorical_so_NA_is_not_false()
    {
        var path = CsvFiles.Write(_folder, "flags.csv", "flag,full,label\ntrue,true,yes\nNA,false,no\nfalse,TRUE,yes\n");

        var file = TabularFile.Inspect(path);

        Assert.That(file.Column("flag").Kind, Is.EqualTo(ColumnKind.Categorical));
        Assert.That(file.Column("full").Kind, Is.EqualTo(ColumnKind.Boolean));
    }

    [Test]
    public void Boolean_cells_in_any_case_load_as_their_value_not_as_false()
    {
        var rows = Enumerable.Range(0, 40).Select(i => (i % 4) switch { 0 => "TRUE", 1 => "False", 2 => "true", _ => "FALSE" }).ToList();
        var path = CsvFiles.Write(_folder, "cases.csv", "flag,x,label\n" + string.Concat(rows.Select((f, i) => $"{f},{i},{(i % 3 == 0 ? "yes" : "no")}\n")));
        var ml = new MLContext(1);
        var file = TabularFile.Inspect(path);

        var prepared = PreparedData.Build(ml, file, "label", TuningTask.BinaryClassification, ["LbfgsLogisticRegression"], null, 0.5, 1);
        var prefix = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);
        var scored = prefix.Transform(prepared.Train);

        Assert.That(file.Column("flag").Kind, Is.EqualTo(ColumnKind.Boolean));
        var flags = scored.GetColumn<float>(TabularFile.ReservedPrefix + "f0").ToList();
        var xs = scored.GetColumn<float>("x").ToList();
        Assert.That(flags, Is.EqualTo(xs.Select(x => rows[(int)x].Equals("true", StringComparison.OrdinalIgnoreCase) ? 1f : 0f)));
    }

    [Test]
    public void Spaces_inside_quotes_are_part_of_the_value_as_ML_NET_reads_it_and_outside_they_are_not()
    {
        var path = CsvFiles.Binary(_folder, "quoted.csv", 100, i => i == 5 ? "  \" yes\" " : i == 6 ? "  \"no\"  " : i == 7 ? " yes " : null);

        var error = Assert.Throws<CliException>(() => LabelCheck.Of(TabularFile.Inspect(path), "label", TuningTask.BinaryClassification));

        Assert.That(error!.Message, Does.Contain("third value ' yes' on line 7"));
    }

    [Test]
    public void Quoted_labels_train_as_their_values()
    {
        var path = CsvFiles.Binary(_folder, "quoted.csv", 200, i => i % 2 == 0 ? null : i % 4 == 1 ? " \"yes\"" : "\"no\" ");
        var ml = new MLContext(1);

        var prepared = PreparedData.Build(ml, TabularFile.Inspect(path), "label", TuningTask.BinaryClassification, ["LbfgsLogisticRegression"], null, 0.2, 1);

        Assert.That(prepared.Label.Classes, Is.EqualTo(new[] { "no", "yes" }));
        Assert.That(Labels<bool>(ml, prepared), Has.Count.EqualTo(200));
    }

    private static List<T> Labels<T>(MLContext ml, PreparedData prepared)
    {
        var prefix = prepared.Pipeline.Build(ml, prepared.Pipeline.Space.Defaults).Fit(prepared.Train);
        return [.. prefix.Transform(prepared.Train).GetColumn<T>(PreparedData.LabelColumn), .. prefix.Transform(prepared.Validation).GetColumn<T>(PreparedData.LabelColumn)];
    }
}
