using System.Text.Json.Nodes;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using static MLNetTuning.Tests.RepositoryFiles;

namespace MLNetTuning.Tests.Cli;

/// <summary>mlnet-tune with the multi-fidelity tuners: budgets reach the trainers, and promotions are recorded.</summary>
[NonParallelizable]
public class CliMultiFidelityTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(5);
    [Test]
    public void Help_lists_every_tuner_of_the_catalog()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, "tune", "--help");

        Assert.That(code, Is.EqualTo(0), output + error);
        var flat = string.Join(" ", output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        foreach (var name in new[] { "asha", "bohb", "hyperband", "successivehalving", "pbt", "tpe", "gaussianprocess", "cmaes", "genetic", "grid", "random", "auto" })
        {
            Assert.That(flat, Does.Contain(name), $"--help does not name the tuner '{name}'");
        }

        Assert.That(flat, Does.Contain("--min-budget").And.Contain("--max-budget").And.Contain("--budget-unit"));
    }

    [Test]
    public void Asha_with_budgets_trains_trees_by_budget_and_records_rungs()
    {
        var db = Path.Combine(Folder, "study.db");
        var (code, output, error) = CliProcess.Run(Minutes, null,
            "tune", "--data", Loans, "--label", "approved", "--task", "binary", "--output", Path.Combine(Folder, "out"),
            "--storage", db, "--study", "mf", "--trainers", "FastTree", "--tuner", "asha", "--min-budget", "1", "--max-budget", "9", "--trials", "14");

        Assert.That(code, Is.EqualTo(0), output + error);
        using var store = new SqliteTrialStore(db);
        var trials = store.Load("mf");
        var completed = trials.Where(t => t.State == TrialState.Completed).ToList();
        Assert.That(completed, Has.Count.GreaterThanOrEqualTo(10), output);

        // Every trial was given a budget on the tuner's range, said what it trained (trees), and kept its value at its budget's step.
        Assert.That(completed.All(t => t.Budget is >= 1 and <= 9), string.Join(", ", completed.Select(t => t.Budget)));
        Assert.That(completed.All(t => t.Attributes.GetValueOrDefault("budget", "").StartsWith("FastTree: ", StringComparison.Ordinal) && t.Attributes["budget"].EndsWith("trees", StringComparison.Ordinal)), string.Join("; ", completed.Select(t => t.Attributes.GetValueOrDefault("budget"))));
        Assert.That(completed.All(t => t.IntermediateValues.ContainsKey((int)Math.Ceiling(t.Budget!.Value - 1e-9))));

        // More than one rung ran, and the smallest rung trained fewer trees than the largest.
        var rungs = completed.Select(t => t.Budget!.Value).Distinct().Order().ToList();
        Assert.That(rungs, Has.Count.GreaterThanOrEqualTo(2), "ASHA promoted no trial");
        static int Trees(TuningTrial t) => int.Parse(t.Attributes["budget"].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(completed.Where(t => t.Budget == rungs[0]).Max(Trees), Is.LessThan(completed.Where(t => t.Budget == rungs[^1]).Min(Trees)));
        Assert.That(completed.Where(t => t.Budget > rungs[0]).All(t => t.ParentTrialId is not null), "a promotion names its lower-rung trial");

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!;
        Assert.That((string)summary["tuner"]!, Is.EqualTo("asha"));
        Assert.That(new FileInfo(Path.Combine(Folder, "out", "best-model.zip")).Length, Is.GreaterThan(0));
    }

    [Test]
    public void Cross_validation_runs_every_trial_on_the_folds()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null,
            "tune", "--data", Loans, "--label", "approved", "--task", "binary", "--output", Path.Combine(Folder, "out"),
            "--trainers", "LbfgsLogisticRegression", "--cv", "3", "--trials", "3");

        Assert.That(code, Is.EqualTo(0), output + error);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!;
        Assert.That((int)summary["trials"]!["completed"]!, Is.EqualTo(3));
        Assert.That((double)summary["best"]!["value"]!, Is.GreaterThan(0.8).And.LessThanOrEqualTo(1));
        Assert.That(new FileInfo(Path.Combine(Folder, "out", "best-model.zip")).Length, Is.GreaterThan(0));
    }

    [Test]
    public void Validation_data_file_is_what_trials_are_measured_on()
    {
        // The validation file's labels are flipped: measured on it, a good model scores an AUC far below 0.5;
        // measured on a share of the training file it would score about 0.9.
        var lines = File.ReadAllLines(Loans);
        var train = Path.Combine(Folder, "train.csv");
        var flipped = Path.Combine(Folder, "flipped.csv");
        File.WriteAllLines(train, lines.Take(281));
        File.WriteAllLines(flipped, lines.Take(1).Concat(lines.Skip(281).Select(l => l.EndsWith(",yes", StringComparison.Ordinal) ? l[..^4] + ",no" : l[..^3] + ",yes")));

        var (code, output, error) = CliProcess.Run(Minutes, null,
            "tune", "--data", train, "--label", "approved", "--task", "binary", "--output", Path.Combine(Folder, "out"),
            "--trainers", "LbfgsLogisticRegression", "--validation-data", flipped, "--trials", "2", "--metric", "Accuracy");

        Assert.That(code, Is.EqualTo(0), output + error);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!;
        Assert.That((int)summary["trials"]!["completed"]!, Is.EqualTo(2));
        Assert.That((double)summary["best"]!["value"]!, Is.LessThan(0.4), "trials were not measured on the flipped validation file");
    }
}
