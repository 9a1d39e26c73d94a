using System.Text.Json.Nodes;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.BadInput;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Cli;

/// <summary>mlnet-tune on awkward but valid data, and resuming: what it prints and what it trains.</summary>
[NonParallelizable]
public class CliDataTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = StoreTestKit.TempFolder();

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private string[] Tune(string data, string label, string task, string trainer, params string[] more) =>
        ["tune", "--data", data, "--label", label, "--task", task, "--trainers", trainer, "--output", Path.Combine(_folder, "out"), .. more, .. more.Contains("--trials") ? Array.Empty<string>() : ["--trials", "2"]];

    [Test]
    public void A_feature_column_named_Label_does_not_leak_the_target()
    {
        var data = CsvFiles.Leaky(_folder, 400);

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "y", "regression", "Sdca"));

        Assert.That(code, Is.EqualTo(0), output + error);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "out", "summary.json")))!;
        Assert.That((double)summary["best"]!["value"]!, Is.LessThan(0.3), "y is noise; a high R² means the target became a feature");
    }

    [Test]
    public void Rows_without_a_label_are_dropped_and_the_count_is_printed()
    {
        var data = CsvFiles.Binary(_folder, "missing.csv", 300, i => i % 20 == 0 ? "NA" : i % 20 == 1 ? "" : null);

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Match(@"300 rows,\s+30\s+dropped\s+for\s+a\s+missing\s+label").And.Contain("positive class 'yes'; 30 rows without a label dropped"));
    }

    [Test]
    public void A_file_of_more_than_20000_rows_is_announced_with_its_true_row_count()
    {
        var data = CsvFiles.Binary(_folder, "big.csv", 23_456);

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression", "--trials", "1"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Match(@"\(23456\s+rows"));
    }

    [Test]
    public void Two_bad_cells_keep_a_column_numeric_with_a_warning_and_the_kinds_are_shown_before_tuning()
    {
        var data = CsvFiles.Binary(_folder, "cells.csv", 500, line: i => i == 10 ? "12k,0.5,c1,yes" : i == 400 ? "n.a.,0.1,c2,no" : null);

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression", "--trials", "1"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Match(@"x1\s*│\s*numeric\s*│\s*inferred"));
        Assert.That(output, Does.Contain("Column 'x1': 2 of 500 values are not numbers (e.g. '12k' on line 12)"));
        Assert.That(output, Does.Contain("--column-kind NAME=numeric|text|categorical|ignore"));
        Assert.That(output.IndexOf("Columns", StringComparison.Ordinal), Is.LessThan(output.IndexOf("Trial 0 ", StringComparison.Ordinal)));
    }

    [Test]
    public void Column_kind_overrides_the_inference_and_is_kept_for_workers()
    {
        var data = CsvFiles.Binary(_folder, "kinds.csv", 200);

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression", "--column-kind", "x2=ignore,city=text", "--trials", "1"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Match(@"x2\s*│\s*ignore\s*│\s*--column-kind").And.Match(@"city\s*│\s*text\s*│\s*--column-kind").And.Contain("2 feature columns"));
        var worker = CliProcess.Run(Timeout, null, "worker", "--storage", Path.Combine(_folder, "out", "studies.db"), "--study", "kinds-binary", "--trials", "1");
        Assert.That(worker.ExitCode, Is.EqualTo(0), worker.Output + worker.Error);
        Assert.That(worker.Output, Does.Match(@"x2\s*│\s*ignore\s*│\s*--column-kind"));
    }

    [Test]
    public void Force_new_study_starts_a_new_study_beside_one_with_other_settings()
    {
        var data = CsvFiles.Binary(_folder, "good.csv", 200);
        Assert.That(CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression")).ExitCode, Is.EqualTo(0));

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression", "--metric", "F1Score", "--force-new-study"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("starting the new study 'good-binary-2'"));
        using var store = new SqliteTrialStore(Path.Combine(_folder, "out", "studies.db"));
        Assert.That(store.ListStudies().Select(s => (s.Name, s.TrialCount)), Is.EquivalentTo(new[] { ("good-binary", 2), ("good-binary-2", 2) }));
    }

    [Test]
    public void The_same_settings_with_the_file_moved_resume_the_study()
    {
        var data = CsvFiles.Binary(_folder, "good.csv", 200);
        Assert.That(CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression")).ExitCode, Is.EqualTo(0));
        var moved = Path.Combine(_folder, "moved");
        Directory.CreateDirectory(moved);
        File.Copy(data, Path.Combine(moved, "good.csv"));

        var (code, output, error) = CliProcess.Run(Timeout, null, Tune(Path.Combine(moved, "good.csv"), "label", "binary", "LbfgsLogisticRegression", "--trials", "3"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Resuming: 2 trials stored (2 completed)").And.Contain("1 trials run now, 3 in the study"));
    }

    [Test]
    public void A_worker_joining_a_study_whose_only_trial_runs_elsewhere_says_joining_not_resuming()
    {
        var data = CsvFiles.Binary(_folder, "good.csv", 200);
        var db = Path.Combine(_folder, "out", "studies.db");
        Assert.That(CliProcess.Run(Timeout, null, Tune(data, "label", "binary", "LbfgsLogisticRegression", "--create-only")).ExitCode, Is.EqualTo(0));
        using (var store = new SqliteTrialStore(db))
        {
            var stored = store.FindStudy("good-binary")!;
            using var other = new TuningStudy(new RandomTuner(stored.Space, null, 1), new TuningStudyOptions { Name = "good-binary", Store = store, Direction = stored.Direction, WorkerId = "other-worker" });
            Assert.That(other.Ask(), Is.Not.Null);
        }

        var (code, output, error) = CliProcess.Run(Timeout, null, "worker", "--storage", db, "--study", "good-binary", "--trials", "1");

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Joining: 1 trial stored (1 running)").And.Not.Contain("Resuming"));
    }
}
