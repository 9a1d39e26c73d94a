using System.Globalization;
using System.Text.Json.Nodes;
using MLNetTuning.Tests.Storage;
using static MLNetTuning.Tests.RepositoryFiles;

namespace MLNetTuning.Tests.Cli;

/// <summary>mlnet-tune's test rows: held back, scored once after the study, reported in the output and summary.json.</summary>
[NonParallelizable]
public class CliTestSetTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string[] Tune(string data, params string[] more) =>
        ["tune", "--data", data, "--label", "approved", "--task", "binary", "--trainers", "LbfgsLogisticRegression,SdcaLogisticRegression", "--output", Path.Combine(Folder, "out"), .. more];

    [Test]
    public void TestFractionIsHeldBackScoredAndReported()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune(Loans, "--trials", "6", "--test-fraction", "0.2", "--order-column", "age", "--study", "confirmed"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Test: 80 rows held back (20% of the rows, the latest by 'age')"));
        Assert.That(output, Does.Contain("Test AreaUnderRocCurve = ").And.Contain("optimism "));
        var test = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!["test"]!;
        var metric = (double)test["metric"]!;
        Assert.That((int)test["rows"]!, Is.EqualTo(80));
        Assert.That((double)test["ci_low"]!, Is.LessThanOrEqualTo(metric));
        Assert.That((double)test["ci_high"]!, Is.GreaterThanOrEqualTo(metric));
        Assert.That((double)test["optimism"]!, Is.EqualTo((double)test["validation"]! - (double)test["train_only_metric"]!).Within(1e-12));
        Assert.That(test["top"]!.AsArray(), Has.Count.EqualTo(5));

        // The report beside the summary, and the report of the stored study, both show the test section.
        var shown = string.Create(CultureInfo.InvariantCulture, $"<strong>{metric:F4}</strong>");
        Assert.That(File.ReadAllText(Path.Combine(Folder, "out", "report.html")), Does.Contain("id=\"test-evaluation\"").And.Contain(shown));
        var stored = Path.Combine(Folder, "stored.html");
        var report = CliProcess.Run(Minutes, null, "report", "--study", "confirmed", "--storage", Path.Combine(Folder, "out", "studies.db"), "--out", stored);
        Assert.That(report.ExitCode, Is.EqualTo(0), report.Output + report.Error);
        Assert.That(File.ReadAllText(stored), Does.Contain("id=\"test-evaluation\"").And.Contain(shown).And.Contain(string.Create(CultureInfo.InvariantCulture, $"optimism {(double)test["optimism"]!:+0.0000;-0.0000}")));
    }

    [Test]
    public void TestFileRowsWithoutALabelAreDroppedAndCounted()
    {
        var lines = File.ReadAllLines(Loans);
        var test = Path.Combine(Folder, "test.csv");
        File.WriteAllLines(test, lines.Take(61).Select((line, i) => i is 5 or 9 ? line[..line.LastIndexOf(',')] + ",NA" : line));

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune(Loans, "--trials", "1", "--test-data", test));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain($"Test: 58 rows held back (from '{test}', 2 dropped for a missing label)"));
        Assert.That((int)JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!["test"]!["rows"]!, Is.EqualTo(58));
    }

    [Test]
    public void LargeDataHoldsBackTwentyPercentByDefaultAndSaysSo()
    {
        var path = Path.Combine(Folder, "large.csv");
        var random = new Random(1);
        var lines = new List<string> { "x,y,approved" };
        for (var i = 0; i < 1000; i++)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x:F4},{y:F4},{(x + y + (0.3 * random.NextDouble()) > 1.1 ? "yes" : "no")}"));
        }

        File.WriteAllLines(path, lines);
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune(path, "--trials", "2"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Test: 200 rows held back (20% of the rows, the default for data of 1,000 rows or more (--test-fraction 0 for none))"));
        Assert.That((int)JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!["test"]!["rows"]!, Is.EqualTo(200));

        var (_, without, _) = CliProcess.Run(Minutes, null, [.. Tune(path, "--trials", "1", "--test-fraction", "0", "--study", "none")]);
        Assert.That(without, Does.Contain("No test rows held back"));
        Assert.That(File.ReadAllText(Path.Combine(Folder, "out", "report.html")), Does.Contain("id=\"no-test-evaluation\"").And.Not.Contain("id=\"test-evaluation\""));
    }

    [Test]
    public void TestDataFromAFileAndAGroupColumnAreHonoured()
    {
        // 1,000 rows of customers with 7 rows each (the last one 6): a 20% test set of whole customers cannot be
        // exactly 200 rows.
        var path = Path.Combine(Folder, "customers.csv");
        var random = new Random(2);
        var lines = new List<string> { "customer,x,y,approved" };
        for (var i = 0; i < 1000; i++)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"c{i / 7},{x:F4},{y:F4},{(x + y + (0.3 * random.NextDouble()) > 1.1 ? "yes" : "no")}"));
        }

        File.WriteAllLines(path, lines);
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune(path, "--trials", "2", "--group-column", "customer", "--study", "grouped"));
        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("whole groups of 'customer'"));
        var rows = (int)JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!["test"]!["rows"]!;
        Assert.That(rows, Is.InRange(201, 206), "whole customers of 7 rows (one of 6), not exactly 20% of the rows");
        Assert.That(rows % 7, Is.AnyOf(0, 6));

        // A separate test file (the loans' last 90 rows; the first 310 are the data): all its rows are the test rows.
        var loans = File.ReadAllLines(Loans);
        var train = Path.Combine(Folder, "loans-train.csv");
        var test = Path.Combine(Folder, "loans-test.csv");
        File.WriteAllLines(train, loans.Take(311));
        File.WriteAllLines(test, loans.Take(1).Concat(loans.Skip(311)));
        var fromFile = CliProcess.Run(Minutes, null, Tune(train, "--trials", "2", "--test-data", test, "--study", "from-file"));
        Assert.That(fromFile.ExitCode, Is.EqualTo(0), fromFile.Output + fromFile.Error);
        Assert.That(fromFile.Output, Does.Contain("Test: 90 rows held back (from '"));
        Assert.That((int)JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!["test"]!["rows"]!, Is.EqualTo(90));
    }

    [Test]
    public void BadTestOptionsExitWithCodeTwoAndAMessage()
    {
        var other = Path.Combine(Folder, "other.csv");
        File.WriteAllLines(other, ["age,income,approved", "30,1000,yes"]);
        (string[] Args, string Message)[] cases =
        [
            (Tune(Loans, "--test-fraction", "0.7"), "--test-fraction must lie in (0, 0.5]"),
            (Tune(Loans, "--test-fraction", "0.2", "--test-data", other), "Give --test-data or --test-fraction, not both."),
            (Tune(Loans, "--test-data", other), "must have the columns of"),
            (Tune(Loans, "--test-data", Path.Combine(Folder, "missing.csv")), "Test data file not found"),
            (Tune(Loans, "--group-column", "customer"), "--group-column: unknown column 'customer'"),
            (Tune(Loans, "--test-fraction", "0.2", "--order-column", "purpose"), "must be a number or a date"),
        ];
        foreach (var (args, message) in cases)
        {
            var (code, output, error) = CliProcess.Run(Minutes, null, args);
            Assert.That(code, Is.EqualTo(2), string.Join(' ', args) + "\n" + output + error);
            Assert.That(output + error, Does.Contain(message).And.Not.Contain("   at "), string.Join(' ', args));
        }
    }
}
