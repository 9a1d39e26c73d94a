using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using static MLNetTuning.Tests.RepositoryFiles;

namespace MLNetTuning.Tests.Cli;

/// <summary>mlnet-tune with the network trainers: by name, among the defaults of numeric data, under Hyperband with
/// each trainer's own budget unit, and under PBT; and the combinations refused before any trial.</summary>
[NonParallelizable]
public class CliNetworkTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(5);

    [Test]
    public void Network_tuned_by_name_writes_a_model_that_loads_and_predicts()
    {
        var data = NumericCsv(160);
        var output = Path.Combine(Folder, "out");
        var (code, stdout, stderr) = CliProcess.Run(Minutes, null,
            "tune", "--data", data, "--label", "label", "--task", "binary", "--trainers", "neuralnetwork", "--trials", "1", "--output", output, "--storage", Path.Combine(Folder, "s.db"));

        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        Assert.That((string?)summary["best"]!["trainer"], Is.EqualTo("NeuralNetwork"));

        // The saved model loads in this process and predicts the training file well: the rule is almost linear.
        var ml = new MLContext(1);
        var model = ml.Model.LoadTunedModel(Path.Combine(output, "best-model.zip"), out _);
        var rows = TabularFile.Inspect(data).Load(ml, "label");
        var scored = model.Transform(rows);
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToList();
        var truth = rows.GetColumn<ReadOnlyMemory<char>>("label").Select(v => v.ToString() == "yes").ToList();
        var accuracy = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Count;
        Assert.That(accuracy, Is.GreaterThan(0.8), "the network's predictions do not follow the label");
    }

    [Test]
    public void Help_lists_the_network_trainers()
    {
        var (code, stdout, stderr) = CliProcess.Run(Minutes, null, "tune", "--help");

        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        var flat = string.Join(" ", stdout.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.That(flat, Does.Contain("NeuralNetwork").And.Contain("FastTree").And.Contain("[TRAINER=]UNIT[:MIN:MAX]"));
    }

    [Test]
    public void Defaults_add_the_network_for_numeric_data_of_few_rows_only()
    {
        var catalog = new MLContext(0).Tuning();
        IReadOnlyList<string> Defaults(string path)
        {
            var file = TabularFile.Inspect(path);
            var label = LabelCheck.Of(file, file.Columns[^1].Name, TuningTask.BinaryClassification);
            return PreparedData.Trainers(catalog, file, label, TuningTask.BinaryClassification, [], null, null).Estimators.Select(e => e.Name).ToList();
        }

        var numeric = Defaults(NumericCsv(100));
        Assert.That(numeric, Does.Contain("NeuralNetwork").And.Contain("FastTree"));
        Assert.That(numeric, Is.EquivalentTo(TrainerNames.Known(catalog, TuningTask.BinaryClassification)));

        // The loans have categorical columns (employment, purpose): the classical trainers only.
        var loans = Defaults(Loans);
        Assert.That(loans, Does.Not.Contain("NeuralNetwork").And.Contain("FastTree"));

        var many = Defaults(NumericCsv(TrainerNames.NetworkDefaultRowLimit + 1));
        Assert.That(many, Does.Not.Contain("NeuralNetwork").And.Contain("LightGbm"));
    }

    [Test]
    public void Hyperband_counts_each_trainers_budget_in_its_own_unit()
    {
        var db = Path.Combine(Folder, "s.db");
        var (code, stdout, stderr) = CliProcess.Run(Minutes, null,
            "tune", "--data", NumericCsv(160), "--label", "label", "--task", "binary", "--output", Path.Combine(Folder, "out"), "--storage", db, "--study", "hb",
            "--trainers", "FastTree,NeuralNetwork", "--tuner", "hyperband", "--min-budget", "1", "--max-budget", "3",
            "--budget-unit", "NeuralNetwork=epochs:1:3,FastTree=trees:4:12", "--trials", "12");

        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        using var store = new SqliteTrialStore(db);
        var completed = store.Load("hb").Where(t => t.State == TrialState.Completed).ToList();
        Assert.That(completed, Has.Count.GreaterThanOrEqualTo(8), stdout);
        var notes = completed.Select(t => t.Attributes.GetValueOrDefault("budget", "")).ToList();
        Assert.That(notes.All(n => (n.StartsWith("NeuralNetwork: ", StringComparison.Ordinal) && n.EndsWith(" epochs", StringComparison.Ordinal))
            || (n.StartsWith("FastTree: ", StringComparison.Ordinal) && n.EndsWith(" trees", StringComparison.Ordinal))), string.Join("; ", notes));
        static int Amount(string note) => int.Parse(note.Split(' ')[1], CultureInfo.InvariantCulture);

        // Both trainers ran, each within its own range: the tuner's budget 1 is 1 epoch or 4 trees, its 3 is 3 epochs or 12 trees.
        var epochs = notes.Where(n => n.EndsWith("epochs", StringComparison.Ordinal)).Select(Amount).ToList();
        var trees = notes.Where(n => n.EndsWith("trees", StringComparison.Ordinal)).Select(Amount).ToList();
        Assert.That(epochs, Is.Not.Empty.And.All.InRange(1, 3), string.Join("; ", notes));
        Assert.That(trees, Is.Not.Empty.And.All.InRange(4, 12), string.Join("; ", notes));
        Assert.That(completed.Where(t => t.Budget == 1).Select(t => Amount(t.Attributes["budget"])), Is.All.EqualTo(1).Or.EqualTo(4));
        Assert.That(completed.Where(t => t.Budget == 3).Select(t => Amount(t.Attributes["budget"])), Is.All.EqualTo(3).Or.EqualTo(12));
        Assert.That(new FileInfo(Path.Combine(Folder, "out", "best-model.zip")).Length, Is.GreaterThan(0));
    }

    [Test]
    public void Pbt_trains_a_population_of_networks_from_checkpoint_to_checkpoint()
    {
        var db = Path.Combine(Folder, "s.db");
        var (code, stdout, stderr) = CliProcess.Run(Minutes, null,
            "tune", "--data", NumericCsv(160), "--label", "label", "--task", "binary", "--output", Path.Combine(Folder, "out"), "--storage", db, "--study", "pbt",
            "--trainers", "NeuralNetwork", "--tuner", "pbt", "--min-budget", "1", "--max-budget", "3");

        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        using var store = new SqliteTrialStore(db);
        var trials = store.Load("pbt");

        // Without --trials: population 8 × 3 intervals of 1 epoch, so every member reaches 3 epochs.
        Assert.That(trials, Has.Count.EqualTo(24), stdout);
        var completed = trials.Where(t => t.State == TrialState.Completed).ToList();
        Assert.That(completed, Has.Count.EqualTo(24), string.Join("; ", trials.Where(t => t.State != TrialState.Completed).Select(t => t.Error)));
        Assert.That(completed.Select(t => t.Budget).Distinct().Order(), Is.EqualTo(new double?[] { 1, 2, 3 }));
        Assert.That(completed.All(t => t.Attributes.ContainsKey("pbt.member")));

        // An interval after the first continues a checkpoint: it trains only its own epoch.
        var later = completed.Where(t => t.Budget > 1).ToList();
        Assert.That(later.All(t => t.ParentTrialId is not null), "an interval names the trial it continues");
        Assert.That(later.All(t => t.Attributes.ContainsKey(TuningExperiment.ContinuedFromAttribute)), "an interval did not continue its parent's checkpoint");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!;
        Assert.That((string?)summary["tuner"], Is.EqualTo("pbt"));
        Assert.That(new FileInfo(Path.Combine(Folder, "out", "best-model.zip")).Length, Is.GreaterThan(0));
    }

    private static IEnumerable<TestCaseData> BadCombinations()
    {
        TestCaseData Case(string name, string message, params string[] args) => new TestCaseData(message, args).SetName($"Refused_before_any_trial_{name}");
        yield return Case("pbt_with_cv", "PBT cannot cross-validate (--cv)", "--tuner", "pbt", "--trainers", "NeuralNetwork", "--cv", "3");
        yield return Case("pbt_with_a_trainer_that_cannot_continue", "'FastTree' cannot continue training. Trainers of binary that can: AveragedPerceptron, LinearSvm, NeuralNetwork", "--tuner", "pbt", "--trainers", "NeuralNetwork,FastTree");
        yield return Case("pbt_with_a_budget_unit", "--budget-unit does not apply to pbt", "--tuner", "pbt", "--trainers", "NeuralNetwork", "--budget-unit", "epochs");
        yield return Case("pbt_for_workers", "PBT cannot run in 'worker' processes (--create-only)", "--tuner", "pbt", "--trainers", "NeuralNetwork", "--create-only");
        yield return Case("pbt_interval_above_total", "--min-budget (5, PBT's interval) is above --max-budget (2", "--tuner", "pbt", "--trainers", "NeuralNetwork", "--min-budget", "5", "--max-budget", "2");
        yield return Case("unit_the_trees_lack", "--budget-unit epochs: 'FastTree' has no budget unit 'epochs'; its units are: trees, data-fraction.", "--tuner", "hyperband", "--trainers", "FastTree,NeuralNetwork", "--budget-unit", "epochs");
        yield return Case("unit_the_network_lacks", "--budget-unit NeuralNetwork=trees: 'NeuralNetwork' has no budget unit 'trees'; its units are: epochs, data-fraction.", "--tuner", "asha", "--trainers", "NeuralNetwork", "--budget-unit", "NeuralNetwork=trees");
        yield return Case("unit_for_a_trainer_not_tuned", "--budget-unit names the trainer 'LightGbm', which is not tuned", "--tuner", "asha", "--trainers", "FastTree", "--budget-unit", "LightGbm=iterations");
        yield return Case("unit_range_the_unit_refuses", "The minimum budget in epochs must be at least 1", "--tuner", "asha", "--trainers", "NeuralNetwork", "--budget-unit", "NeuralNetwork=epochs:0.5:4");
        yield return Case("malformed_unit", "--budget-unit 'epochs:2' must be [TRAINER=]UNIT[:MIN:MAX]", "--tuner", "asha", "--trainers", "NeuralNetwork", "--budget-unit", "epochs:2");
        yield return Case("unknown_trainer", "Unknown trainer 'NeuralNet' for binary. Known: ", "--trainers", "NeuralNet");
    }

    [TestCaseSource(nameof(BadCombinations))]
    public void Bad_combination_exits_2_with_its_message_and_stores_nothing(string message, string[] args)
    {
        var db = Path.Combine(Folder, "s.db");
        var output = Path.Combine(Folder, "out");
        var (code, stdout, stderr) = CliProcess.Run(Minutes, null,
            ["tune", "--data", NumericCsv(60), "--label", "label", "--task", "binary", "--output", output, "--storage", db, .. args]);

        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr, Does.StartWith("error: ").And.Contain(message));
        Assert.That(stderr, Does.Not.Contain("   at "), "a stack trace");
        Assert.That(File.Exists(db), Is.False, "a refused run created the store");
        Assert.That(Directory.Exists(output), Is.False, "a refused run created the output folder");
    }

    /// <summary>Three numeric features and a yes/no label that a noisy linear rule of them decides.</summary>
    private string NumericCsv(int rows)
    {
        var path = Path.Combine(Folder, $"numeric-{rows}.csv");
        var random = new Random(rows);
        var lines = new List<string> { "x1,x2,x3,label" };
        for (var i = 0; i < rows; i++)
        {
            var x = Enumerable.Range(0, 3).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
            var margin = (2 * x[0]) - x[1] + (0.5 * x[2]) + (0.2 * ((random.NextDouble() * 2) - 1));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x[0]:F4},{x[1]:F4},{x[2]:F4},{(margin > 0 ? "yes" : "no")}"));
        }

        File.WriteAllLines(path, lines);
        return path;
    }
}
