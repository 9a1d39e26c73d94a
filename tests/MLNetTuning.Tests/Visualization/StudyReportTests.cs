using System.Text.RegularExpressions;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Cli;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Visualization;

namespace MLNetTuning.Tests.Visualization;

[NonParallelizable]
public partial class StudyReportTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    [GeneratedRegex("""(?:src|href)\s*=\s*["']?(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [Test]
    public void TheReportEmbedsPlotlyAndEveryApplicableChartAndFetchesNothing()
    {
        var study = SampleStudies.Hyperband();
        var html = StudyReport.Build(study);
        Assert.That(html, Does.Contain("Plotly.newPlot").And.Contain("id=\"leaderboard\"").And.Contain("id=\"best-parameters\""));
        Assert.That(html.Length, Is.GreaterThan(3_000_000), "plotly.js itself is embedded");
        // The library's own strings hold links (map attributions, the logo) it never fetches: check the page around it.
        var start = html.IndexOf("<script>", StringComparison.Ordinal);
        var page = html[..start] + html[html.IndexOf("</script>", start, StringComparison.Ordinal)..];
        Assert.That(ExternalReference().IsMatch(page), Is.False, "no script, style or image from the network");
        Assert.That(page.Length, Is.LessThan(html.Length - 3_000_000));
        foreach (var id in new[] { "history", "intermediate", "brackets", "importance", "parallel", "slice", "contour", "edf", "timeline" })
        {
            Assert.That(html, Does.Contain($"id=\"chart-{id}\""), id);
        }

        Assert.That(html, Does.Contain("PBT lineage: the study is not population-based training."));
        var best = study.Best!;
        Assert.That(html, Does.Contain($"{Math.Round(best.Value!.Value, 4).ToString(System.Globalization.CultureInfo.InvariantCulture)[..5]}"));
    }

    [Test]
    public void AStudyWithoutCompletedTrialsGetsAReportThatSaysWhy()
    {
        var failed = new TuningTrial(0, SampleStudies.Space.Defaults);
        failed.Restore(TrialState.Failed, null, null, "InvalidOperationException: diverged", failed.StartedAt.AddSeconds(2), workerId: "host/1/a");
        var html = StudyReport.Build(new StudySnapshot("broken", OptimizationDirection.Minimize, [failed], SampleStudies.Space));
        Assert.That(html, Does.Contain("No trial completed, so there is no value to chart.").And.Contain("diverged").And.Contain("1 failed"));
        Assert.That(html, Does.Contain("id=\"chart-timeline\""), "what exists is still shown");
        Assert.That(html, Does.Contain("Parameter importance: Parameter importance needs at least two completed trials"));
    }

    [Test]
    public void WritingToAnUnwritablePathNamesThePath()
    {
        var file = Path.Combine(Folder, "a-file");
        File.WriteAllText(file, "");
        var path = Path.Combine(file, "report.html");
        var e = Assert.Throws<IOException>(() => StudyReport.Write(new StudySnapshot("s", OptimizationDirection.Minimize, []), path))!;
        Assert.That(e.Message, Does.StartWith($"Cannot write the report to '{path}'"));
    }

    [Test]
    public void TuneWritesTheReportBesideTheSummary()
    {
        var loans = RepositoryFiles.Loans;
        var output = Path.Combine(Folder, "out");
        var run = CliProcess.Run(Minutes, null, "tune", "--data", loans, "--label", "approved", "--task", "binary", "--output", output, "--trainers", "LbfgsLogisticRegression", "--trials", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output + run.Error);
        Assert.That(File.Exists(Path.Combine(output, "summary.json")), Is.True);
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.That(html, Does.Contain("id=\"chart-history\"").And.Contain("id=\"leaderboard\""));
        Assert.That(run.Output, Does.Contain("Wrote the report to"));

        // 400 rows: below the 1,000 at which the CLI holds test rows back by default; the report says there are none.
        Assert.That(run.Output, Does.Contain("No test rows held back"));
        Assert.That(html, Does.Contain("id=\"no-test-evaluation\""));
    }

    [Test]
    public void ReportCommandWritesTheFileAndFailsClearlyOnAnUnknownStudyOrAnUnwritablePath()
    {
        var db = Path.Combine(Folder, "studies.db");
        using (var store = new SqliteTrialStore(db))
        {
            store.OpenStudy("runs", SampleStudies.Space, OptimizationDirection.Minimize);
            foreach (var t in SampleStudies.Hyperband().Trials)
            {
                store.Save("runs", t);
            }

            store.OpenStudy("all-failed", SampleStudies.Space, OptimizationDirection.Minimize);
            var failed = new TuningTrial(0, SampleStudies.Space.Defaults);
            failed.Restore(TrialState.Failed, null, null, "boom", failed.StartedAt.AddSeconds(1));
            store.Save("all-failed", failed);
        }

        var output = Path.Combine(Folder, "out", "report.html");
        var ok = CliProcess.Run(Minutes, null, "report", "--study", "runs", "--storage", db, "--out", output);
        Assert.That(ok.ExitCode, Is.EqualTo(0), ok.Output + ok.Error);
        Assert.That(File.ReadAllText(output), Does.Contain("id=\"chart-brackets\""));

        var none = CliProcess.Run(Minutes, null, "report", "--study", "all-failed", "--storage", db, "--out", output);
        Assert.That(none.ExitCode, Is.EqualTo(0), none.Error);
        Assert.That(File.ReadAllText(output), Does.Contain("No trial completed"));

        var unknown = CliProcess.Run(Minutes, null, "report", "--study", "nope", "--storage", db, "--out", output);
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Error, Does.Contain("Study 'nope' is not in").And.Contain("runs"));

        File.WriteAllText(Path.Combine(Folder, "a-file"), "");
        var unwritable = CliProcess.Run(Minutes, null, "report", "--study", "runs", "--storage", db, "--out", Path.Combine(Folder, "a-file", "r.html"));
        Assert.That(unwritable.ExitCode, Is.EqualTo(2));
        Assert.That(unwritable.Error, Does.Contain("Cannot write the report to").And.Not.Contain("   at "));
    }
}

public class TrialsFormatTests
{
    [Test]
    public void TrialsPrintsCsvAndJsonThatHoldEveryTrial()
    {
        var folder = StoreTestKit.TempFolder();
        try
        {
            var db = Path.Combine(folder, "studies.db");
            var trials = SampleStudies.Conditional(12).Trials;
            using (var store = new SqliteTrialStore(db))
            {
                store.OpenStudy("runs", SampleStudies.ConditionalSpace, OptimizationDirection.Maximize);
                foreach (var t in trials)
                {
                    store.Save("runs", t);
                }
            }

            var minutes = TimeSpan.FromMinutes(3);
            var csv = CliProcess.Run(minutes, null, "trials", "--study", "runs", "--storage", db, "--format", "csv");
            Assert.That(csv.ExitCode, Is.EqualTo(0), csv.Error);
            var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines[0], Does.StartWith("trial,state,value,duration_seconds,budget,worker,model,model.linear.l2,model.tree.leaves,x"));
            Assert.That(lines, Has.Length.EqualTo(trials.Count + 1));

            var json = CliProcess.Run(minutes, null, "trials", "--study", "runs", "--storage", db, "--format", "json");
            Assert.That(json.ExitCode, Is.EqualTo(0), json.Error);
            var array = System.Text.Json.Nodes.JsonNode.Parse(json.Output)!.AsArray();
            Assert.That(array.Select(t => (double?)t!["value"]), Is.EqualTo(trials.Select(t => t.Value)));
            Assert.That((string)array[0]!["parameters"]!["model"]!["$branch"]!, Is.EqualTo(((MLNetTuning.SearchSpaces.BranchSelection)trials[0].Parameters["model"]!).Branch));

            var bad = CliProcess.Run(minutes, null, "trials", "--study", "runs", "--storage", db, "--format", "xml");
            Assert.That(bad.ExitCode, Is.EqualTo(2));
            Assert.That(bad.Error, Does.Contain("Unknown --format 'xml'. Known: table, csv, json."));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
