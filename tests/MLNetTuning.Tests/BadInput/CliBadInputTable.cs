using System.Security.Cryptography;
using MLNetTuning.Tests.Cli;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.BadInput;

/// <summary>
/// Bad inputs run through mlnet-tune as a process: each exits with its documented code (docs/cli.md), prints a
/// message naming the problem and no stack trace, and leaves what is stored as it was: a copy of a store holding
/// the study 'good' keeps its bytes, and where no store was given none is created.
/// </summary>
[NonParallelizable]
public class CliBadInputTable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static string _data = "";
    private static string _template = "";

    /// <summary>One bad input: its arguments (given the data folder, the case's store and output folder), exit code and message parts.</summary>
    public sealed record Case(string Name, Func<string, string, string, string[]> Args, int ExitCode, params string[] Messages)
    {
        public override string ToString() => Name;
    }

    private static string[] Tune(string data, string output, params string[] more) =>
        ["tune", "--data", data, "--label", "label", "--task", "binary", "--trainers", "LbfgsLogisticRegression", "--output", output, .. more, .. more.Contains("--trials") ? Array.Empty<string>() : ["--trials", "1"]];

    private static string[] Resume(string d, string db, string o, params string[] more) =>
        Tune(Path.Combine(d, "good.csv"), o, ["--storage", db, "--study", "good", .. more]);

    private static string[] As(string task, string trainer, string[] args) =>
        [.. args.Select(a => a == "binary" ? task : a == "LbfgsLogisticRegression" ? trainer : a)];

    private static string[] Good(string d, string o, params string[] more) => Tune(Path.Combine(d, "good.csv"), o, more);

    private static string[] File(string d, string o, string name, params string[] more) => Tune(Path.Combine(d, name), o, more);

    public static IEnumerable<TestCaseData> Cases() => new Case[]
    {
        // The label, read over the whole file (exit 2, no store created).
        new("binary label with a third value after row 20,000", (d, _, o) => File(d, o, "late-third.csv"), 2, "third value 'maybe'", "line 24002"),
        new("binary label with a third value on line 5", (d, _, o) => File(d, o, "early-third.csv"), 2, "third value 'perhaps'", "line 5"),
        new("binary label with one value", (d, _, o) => File(d, o, "one-value.csv"), 2, "only 'yes'"),
        new("label without any value", (d, _, o) => File(d, o, "no-labels.csv"), 2, "has no value in any of the 50 rows"),
        new("multiclass label with one class", (d, _, o) => As("multiclass", "LbfgsMaximumEntropy", File(d, o, "one-value.csv")), 2, "at least 2 values"),
        new("regression on a text label", (d, _, o) => As("regression", "Sdca", File(d, o, "good.csv")), 2, "numeric label", "'yes'"),
        new("Poisson regression named on a label below 0", (d, _, o) => As("regression", "LbfgsPoissonRegression", File(d, o, "negative.csv")), 2, "The trainer 'LbfgsPoissonRegression' needs non-negative labels (>= 0)", "'label' is -2.5 on line 42", "1 of the 60 labelled rows"),
        new("regression with a single labelled row", (d, _, o) => As("regression", "Sdca", File(d, o, "one-number.csv")), 2, "Only 1 of the 3 rows"),
        new("binary test file with a third label value", (d, _, o) => Good(d, o, "--test-data", Path.Combine(d, "test-third.csv")), 2, "test-third.csv", "'maybe' in 3 rows (first on line 12)", "'no', 'yes'"),
        new("multiclass test file with a class the data lacks", (d, _, o) => As("multiclass", "LbfgsMaximumEntropy", Good(d, o, "--test-data", Path.Combine(d, "test-third.csv"))), 2, "test-third.csv", "'maybe' in 3 rows"),
        new("unknown label column", (d, _, o) => [.. Good(d, o).Select(a => a == "label" ? "nope" : a)], 2, "Unknown label column 'nope'", "x1, x2, city, label"),

        // The file itself.
        new("ragged row after row 20,000", (d, _, o) => File(d, o, "late-ragged.csv"), 2, "Line 21502", "3 fields"),
        new("ragged row on line 3", (d, _, o) => File(d, o, "early-ragged.csv"), 2, "Line 3", "5 fields"),
        new("missing data file", (d, _, o) => File(d, o, "absent.csv"), 2, "Data file not found"),
        new("empty data file", (d, _, o) => File(d, o, "empty.csv"), 2, "is empty"),
        new("header without rows", (d, _, o) => File(d, o, "header-only.csv"), 2, "no data rows"),
        new("a column named twice", (d, _, o) => File(d, o, "duplicate.csv"), 2, "'x1' appears twice"),
        new("a column without a name", (d, _, o) => File(d, o, "unnamed.csv"), 2, "a column has no name"),
        new("a column with the reserved prefix", (d, _, o) => File(d, o, "reserved.csv"), 2, "'__mlnet_tune_features'", "reserves"),
        new("no feature column", (d, _, o) => File(d, o, "label-only.csv"), 2, "no feature column"),

        // --column-kind.
        new("every feature ignored", (d, _, o) => Good(d, o, "--column-kind", "x1=ignore,x2=ignore", "--column-kind", "city=ignore"), 2, "no feature column"),
        new("--column-kind of an unknown column", (d, _, o) => Good(d, o, "--column-kind", "nope=numeric"), 2, "'nope'", "Columns: x1, x2, city, label"),
        new("--column-kind of an unknown kind", (d, _, o) => Good(d, o, "--column-kind", "x1=float"), 2, "'x1=float' must be NAME=numeric"),
        new("--column-kind without '='", (d, _, o) => Good(d, o, "--column-kind", "x1"), 2, "'x1' must be NAME=numeric"),
        new("--column-kind of the label", (d, _, o) => Good(d, o, "--column-kind", "label=numeric"), 2, "cannot set the label column 'label'"),

        // Options.
        new("study name with a space", (d, _, o) => Good(d, o, "--study", "bad name"), 2, "'bad name'"),
        new("--validation-fraction 1.5", (d, _, o) => Good(d, o, "--validation-fraction", "1.5"), 2, "--validation-fraction must be between 0 and 1"),
        new("--trials 0", (d, _, o) => Good(d, o, "--trials", "0"), 2, "--trials must be at least 1"),
        new("--parallel 0", (d, _, o) => Good(d, o, "--parallel", "0"), 2, "--parallel must be at least 1"),
        new("unknown metric", (d, _, o) => Good(d, o, "--metric", "Happiness"), 2, "Unknown metric 'Happiness'", "AreaUnderRocCurve"),
        new("unknown trainer", (d, _, o) => Good(d, o, "--trainers", "Magic"), 2, "Unknown trainer 'Magic'"),
        new("negative --time", (d, _, o) => Good(d, o, "--time", "-5"), 2, "--time must be a positive number of seconds"),
        new("--heartbeat-timeout 0", (d, _, o) => Good(d, o, "--heartbeat-timeout", "0"), 2, "--heartbeat-timeout must be a positive number"),
        new("unknown option", (d, _, o) => Good(d, o, "--colour", "red"), 2, "--colour"),

        // Tuner options (exit 2 before the store is touched).
        new("a tuner option the tuner lacks", (d, _, o) => Good(d, o, "--tuner", "gp", "--tuner-option", "Costly=false"), 2, "'gp' has no option 'Costly'", "CostAware (true or false)"),
        new("a tuner option of the wrong kind", (d, _, o) => Good(d, o, "--tuner", "tpe", "--tuner-option", "StartupTrials=many"), 2, "StartupTrials takes a whole number"),
        new("a tuner option the options refuse", (d, _, o) => Good(d, o, "--tuner", "gp", "--tuner-option", "MaxModelTrials=3"), 2, "MaxModelTrials must be at least 10."),

        // Budgets (exit 2 before any trial).
        new("budgets for a tuner without them", (d, _, o) => Good(d, o, "--tuner", "tpe", "--min-budget", "1", "--max-budget", "9"), 2, "need a multi-fidelity tuner", "asha", "'tpe'"),
        new("--min-budget above --max-budget", (d, _, o) => Good(d, o, "--tuner", "asha", "--min-budget", "27", "--max-budget", "3"), 2, "--min-budget (27) is above --max-budget (3)"),
        new("--min-budget 0", (d, _, o) => Good(d, o, "--tuner", "hyperband", "--min-budget", "0"), 2, "MinBudget must be a positive"),
        new("a budget unit the trainer lacks", (d, _, o) => Good(d, o, "--tuner", "asha", "--budget-unit", "trees"), 2, "'LbfgsLogisticRegression' has no budget unit 'trees'", "data-fraction"),
        new("PBT with cross-validation", (d, _, o) => Good(d, o, "--tuner", "pbt", "--cv", "3"), 2, "PBT cannot cross-validate"),
        new("--cv 1", (d, _, o) => Good(d, o, "--cv", "1"), 2, "--cv must be at least 2 folds"),
        new("--cv with --validation-fraction", (d, _, o) => Good(d, o, "--cv", "3", "--validation-fraction", "0.3"), 2, "--validation-fraction and --cv are two ways"),
        new("--cv with --validation-data", (d, _, o) => Good(d, o, "--cv", "3", "--validation-data", Path.Combine(d, "good-edited.csv")), 2, "--validation-data and --cv are two ways"),
        new("missing --validation-data file", (d, _, o) => Good(d, o, "--validation-data", Path.Combine(d, "absent.csv")), 2, "Validation data file not found"),
        new("--validation-data with other columns", (d, _, o) => Good(d, o, "--validation-data", Path.Combine(d, "label-only.csv")), 2, "The validation data", "same order"),
        new("a budget unit without a multi-fidelity tuner", (d, _, o) => Good(d, o, "--tuner", "random", "--budget-unit", "data-fraction"), 2, "--budget-unit needs a multi-fidelity tuner"),

        // Resuming a stored study with other settings (exit 3; the store keeps its bytes).
        new("resume with another metric", (d, db, o) => Resume(d, db, o, "--metric", "F1Score"), 3, "--metric: stored AreaUnderRocCurve, now F1Score", "--force-new-study"),
        new("resume with another seed", (d, db, o) => Resume(d, db, o, "--seed", "2"), 3, "--seed: stored 1, now 2"),
        new("resume with another validation fraction", (d, db, o) => Resume(d, db, o, "--validation-fraction", "0.3"), 3, "--validation-fraction: stored 0.2, now 0.3"),
        new("resume with another data file of the same size", (d, db, o) => [.. Resume(d, db, o).Select(a => a.EndsWith("good.csv", StringComparison.Ordinal) ? Path.Combine(d, "good-edited.csv") : a)], 3, "data file SHA-256"),
        new("resume with another label and task", (d, db, o) => [.. As("multiclass", "LbfgsMaximumEntropy", Resume(d, db, o)).Select(a => a == "label" ? "city" : a)], 3, "--label: stored label, now city", "--task: stored binary, now multiclass"),
        new("resume with other trainers", (d, db, o) => [.. Resume(d, db, o).Select(a => a == "LbfgsLogisticRegression" ? "SdcaLogisticRegression" : a)], 3, "--trainers: stored [\"lbfgslogisticregression\"], now [\"sdcalogisticregression\"]"),
        new("resume with another column kind", (d, db, o) => Resume(d, db, o, "--column-kind", "city=text"), 3, "--column-kind: stored (none)"),
        new("worker on another data file", (d, db, _) => ["worker", "--storage", db, "--study", "good", "--trials", "1", "--data", Path.Combine(d, "good-edited.csv")], 3, "is not the one study 'good' was made with"),
        new("worker on an unknown study", (_, db, _) => ["worker", "--storage", db, "--study", "other", "--trials", "1"], 2, "Study 'other' is not in", "Studies: good"),
        new("trials of an unknown study", (_, db, _) => ["trials", "--storage", db, "--study", "other"], 2, "Study 'other' is not in"),
        new("trials in an unknown state", (_, db, _) => ["trials", "--storage", db, "--study", "good", "--state", "sleeping"], 2, "Unknown trial state 'sleeping'"),
        new("trials of a study with a bad name", (_, db, _) => ["trials", "--storage", db, "--study", "no;such"], 2, "'no;such'"),
    }.Select(c => new TestCaseData(c).SetName($"BadInput: {c.Name}"));

    [OneTimeSetUp]
    public void MakeFilesAndStore()
    {
        _data = StoreTestKit.TempFolder();
        var good = CsvFiles.Binary(_data, "good.csv", 200);
        var text = System.IO.File.ReadAllText(good);
        var edited = text.IndexOf("0.", 30, StringComparison.Ordinal);
        CsvFiles.Write(_data, "good-edited.csv", text[..edited] + (text[edited] == '0' ? "1" : "0") + text[(edited + 1)..]);
        CsvFiles.Binary(_data, "late-third.csv", 25_000, i => i == 24_000 ? "maybe" : null);
        CsvFiles.Binary(_data, "test-third.csv", 60, i => i is 10 or 20 or 30 ? "maybe" : null, seed: 2);
        CsvFiles.Binary(_data, "early-third.csv", 100, i => i == 3 ? "perhaps" : null);
        CsvFiles.Binary(_data, "one-value.csv", 50, _ => "yes");
        CsvFiles.Binary(_data, "no-labels.csv", 50, i => i % 2 == 0 ? "NA" : "");
        CsvFiles.Write(_data, "negative.csv", "x1,x2,city,label\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"{i % 7},{i % 5},c{i % 3},{(i == 40 ? "-2.5" : (i % 9).ToString(System.Globalization.CultureInfo.InvariantCulture))}\n")));
        CsvFiles.Write(_data, "one-number.csv", "x1,x2,city,label\n1,2,a,3.5\n2,3,b,NA\n3,4,c,\n");
        CsvFiles.Binary(_data, "late-ragged.csv", 22_000, line: i => i == 21_500 ? "1,2,c" : null);
        CsvFiles.Write(_data, "early-ragged.csv", "x1,x2,city,label\n1,2,a,yes\n1,2,a,yes,extra\n");
        CsvFiles.Write(_data, "empty.csv", "");
        CsvFiles.Write(_data, "header-only.csv", "x1,x2,city,label\n");
        CsvFiles.Write(_data, "duplicate.csv", "x1,x1,label\n1,2,yes\n3,4,no\n");
        CsvFiles.Write(_data, "unnamed.csv", "x1,,label\n1,2,yes\n3,4,no\n");
        CsvFiles.Write(_data, "reserved.csv", "x1,__mlnet_tune_features,label\n1,2,yes\n3,4,no\n");
        CsvFiles.Write(_data, "label-only.csv", "label,empty\nyes,\nno,\n");

        _template = Path.Combine(_data, "template.db");
        var (code, output, error) = CliProcess.Run(Timeout, null, Good(_data, Path.Combine(_data, "template-out"), "--storage", _template, "--study", "good", "--trials", "2"));
        Assert.That(code, Is.EqualTo(0), output + error);
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_data, recursive: true);

    [TestCaseSource(nameof(Cases))]
    public void Exits_with_its_code_names_the_problem_and_changes_nothing_stored(Case badInput)
    {
        var folder = StoreTestKit.TempFolder();
        try
        {
            var db = Path.Combine(folder, "studies.db");
            System.IO.File.Copy(_template, db);
            var output = Path.Combine(folder, "out");
            var before = Snapshot(folder);

            var (code, stdout, stderr) = CliProcess.Run(Timeout, null, badInput.Args(_data, db, output));

            Assert.That(code, Is.EqualTo(badInput.ExitCode), stdout + stderr);
            foreach (var part in badInput.Messages)
            {
                Assert.That(stderr, Does.Contain(part));
            }

            Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception:").And.Not.Contain("(Parameter '"), "a message, not a stack trace");
            Assert.That(Snapshot(folder), Is.EqualTo(before), "the store keeps its bytes and no store or output is created");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every file under the folder with a hash of its bytes.</summary>
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(f))));
}
