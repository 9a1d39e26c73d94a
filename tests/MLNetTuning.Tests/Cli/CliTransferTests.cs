using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Transfer;
using static MLNetTuning.Tests.RepositoryFiles;

namespace MLNetTuning.Tests.Cli;

/// <summary>tune --enqueue, --enqueue-file, --warm-start and --warm-start-storage, run as real processes.</summary>
[NonParallelizable]
public class CliTransferTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string[] Tune(string output, string study, params string[] more) =>
        ["tune", "--data", Loans, "--label", "approved", "--task", "binary", "--trainers", "LbfgsLogisticRegression,FastTree", "--tuner", "tpe", "--output", Path.Combine(Folder, output), "--study", study, .. more];

    private static List<TuningTrial> Trials(string db, string study)
    {
        using var store = new SqliteTrialStore(db);
        return store.Load(study).OrderBy(t => t.Id).ToList();
    }

    [Test]
    public void Enqueued_points_run_first_in_order_exactly_and_a_partial_one_is_completed()
    {
        var file = Path.Combine(Folder, "points.jsonl");
        File.WriteAllText(file, "# the second and third points\n{\"trainer\": {\"LbfgsLogisticRegression\": {\"L2Regularization\": 0.5, \"L1Regularization\": 0.25, \"HistorySize\": 7, \"OptimizationTolerance\": 0.001}}}\n\n{\"trainer\": \"FastTree\"}\n");

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "4", "--enqueue", "{\"trainer\": {\"FastTree\": {\"NumberOfLeaves\": 31, \"NumberOfTrees\": 20}}}", "--enqueue-file", file));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Enqueued 3 point(s)"));
        var trials = Trials(Path.Combine(Folder, "out", "studies.db"), "june");
        Assert.That(trials, Has.Count.EqualTo(4));
        var first = trials[0].Parameters.Get<BranchSelection>("trainer");
        Assert.That(first.Branch, Is.EqualTo("FastTree"));
        Assert.That(first.Parameters.Get<int>("NumberOfLeaves"), Is.EqualTo(31));
        Assert.That(first.Parameters.Get<int>("NumberOfTrees"), Is.EqualTo(20));
        Assert.That(trials[0].Attributes["enqueued"], Does.StartWith("partial"));

        var second = trials[1].Parameters.Get<BranchSelection>("trainer");
        Assert.That(second.Branch, Is.EqualTo("LbfgsLogisticRegression"));
        Assert.That(second.Parameters.Get<double>("L2Regularization"), Is.EqualTo(0.5));
        Assert.That(second.Parameters.Get<double>("L1Regularization"), Is.EqualTo(0.25));
        Assert.That(second.Parameters.Get<int>("HistorySize"), Is.EqualTo(7));
        Assert.That(trials[1].Attributes["enqueued"], Is.EqualTo("full"));

        Assert.That(trials[2].Parameters.Get<BranchSelection>("trainer").Branch, Is.EqualTo("FastTree"));
        Assert.That(trials[2].Attributes, Does.ContainKey("enqueued"));
        Assert.That(trials[3].Attributes, Does.Not.ContainKey("enqueued"));
    }

    [Test]
    public void Warm_start_reevaluates_the_source_studys_best_trials_first_from_another_store()
    {
        var source = CliProcess.Run(Minutes, null, Tune("source", "may", "--trials", "4"));
        Assert.That(source.ExitCode, Is.EqualTo(0), source.Output + source.Error);
        var sourceDb = Path.Combine(Folder, "source", "studies.db");
        var sourceBest = Trials(sourceDb, "may").OrderByDescending(t => t.Value).ThenBy(t => t.Id).First();

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "5", "--warm-start", "may", "--warm-start-storage", sourceDb));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Warm start from 'may'").And.Contain("enqueued for re-evaluation"));
        var trials = Trials(Path.Combine(Folder, "out", "studies.db"), "june");
        Assert.That(trials[0].Attributes[WarmStart.SourceTrialAttribute], Is.EqualTo($"may/{sourceBest.Id}"));
        Assert.That(trials[0].Parameters, Is.EqualTo(sourceBest.Parameters));
        Assert.That(trials.Take(4).All(t => t.Attributes.ContainsKey(WarmStart.SourceTrialAttribute)), Is.True);
    }

    [TestCase("{\"nope\": 1}", "--enqueue #1: Enqueued parameter 'nope' is not in the search space. Known: trainer")]
    [TestCase("{\"trainer\": \"Magic\"}", "is not one of its branches [FastTree, LbfgsLogisticRegression]")]
    [TestCase("{\"trainer\": {\"FastTree\": {\"NumberOfLeaves\": 100000}}}", "'trainer.FastTree.NumberOfLeaves' = '100000' is outside its int range [4, 1024]")]
    [TestCase("{\"trainer\": ", "--enqueue #1: not valid JSON")]
    [TestCase("[1, 2]", "an enqueued point is a JSON object")]
    public void A_bad_enqueued_point_exits_2_naming_it_and_stores_nothing(string point, string message)
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "2", "--enqueue", point));

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain(message));
        Assert.That(error, Does.Not.Contain("   at "));
        Assert.That(Directory.Exists(Path.Combine(Folder, "out")), Is.False);
    }

    [Test]
    public void A_missing_source_study_or_store_exits_2_naming_what_is_there()
    {
        var source = CliProcess.Run(Minutes, null, Tune("source", "may", "--trials", "2"));
        Assert.That(source.ExitCode, Is.EqualTo(0), source.Output + source.Error);
        var sourceDb = Path.Combine(Folder, "source", "studies.db");
        var bytes = File.ReadAllBytes(sourceDb);

        var missingStudy = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "2", "--warm-start", "april", "--warm-start-storage", sourceDb));
        Assert.That(missingStudy.ExitCode, Is.EqualTo(2), missingStudy.Output + missingStudy.Error);
        Assert.That(missingStudy.Error, Does.Contain("--warm-start: the study 'april' is not in").And.Contain("Studies there: may."));
        Assert.That(File.ReadAllBytes(sourceDb), Is.EqualTo(bytes));

        var missingStore = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "2", "--warm-start", "may", "--warm-start-storage", Path.Combine(Folder, "none.db")));
        Assert.That(missingStore.ExitCode, Is.EqualTo(2), missingStore.Output + missingStore.Error);
        Assert.That(missingStore.Error, Does.Contain("none.db").And.Contain("Give --warm-start-storage the file"));

        var storageAlone = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "2", "--warm-start-storage", sourceDb));
        Assert.That(storageAlone.ExitCode, Is.EqualTo(2));
        Assert.That(storageAlone.Error, Does.Contain("give --warm-start STUDY too"));

        var missingFile = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", "2", "--enqueue-file", Path.Combine(Folder, "none.jsonl")));
        Assert.That(missingFile.ExitCode, Is.EqualTo(2));
        Assert.That(missingFile.Error, Does.Contain("--enqueue-file").And.Contain("does not exist"));
        Assert.That(Directory.Exists(Path.Combine(Folder, "out")), Is.False);
    }

    [Test]
    public void Portfolio_build_writes_the_stores_best_per_trainer_and_tune_runs_them_first_and_refuses_another_task()
    {
        var source = CliProcess.Run(Minutes, null, Tune("source", "may", "--trials", "5"));
        Assert.That(source.ExitCode, Is.EqualTo(0), source.Output + source.Error);
        var sourceDb = Path.Combine(Folder, "source", "studies.db");
        var file = Path.Combine(Folder, "portfolio.json");

        var build = CliProcess.Run(Minutes, null, "portfolio", "build", "--storage", sourceDb, "--task", "binary", "--out", file, "--per-trainer", "1");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output + build.Error);
        var entries = MLNetTuning.Portfolios.PortfolioFile.Load(file, "binary");
        var best = Trials(sourceDb, "may").Where(t => t.State == TrialState.Completed).OrderByDescending(t => t.Value).ThenBy(t => t.Id).First();
        var bestTrainer = best.Parameters.Get<BranchSelection>("trainer");
        Assert.That(entries.Single(e => e.Trainer == bestTrainer.Branch).Parameters.ToJson(), Is.EqualTo(bestTrainer.Parameters.ToJson()), "alone, a study's best trial is its best portfolio entry");

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", $"{entries.Count + 1}", "--portfolio", file));
        Assert.That(code, Is.EqualTo(0), output + error);
        var trials = Trials(Path.Combine(Folder, "out", "studies.db"), "june");
        var first = trials.Take(entries.Count).Select(t => t.Parameters.Get<BranchSelection>("trainer")).ToList();
        Assert.That(first.Select(b => b.Branch), Is.EqualTo(entries.Select(e => e.Trainer)));
        Assert.That(first.Select(b => b.Parameters.ToJson()), Is.EqualTo(entries.Select(e => e.Parameters.ToJson())));

        var other = Path.Combine(Folder, "regression.json");
        MLNetTuning.Portfolios.PortfolioFile.Save(other, "regression", entries);
        var refused = CliProcess.Run(Minutes, null, Tune("out2", "july", "--trials", "2", "--portfolio", other));
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.Output + refused.Error);
        Assert.That(refused.Error, Does.Contain("--portfolio: The portfolio file").And.Contain("was built for the task 'regression', not 'binary'"));
        Assert.That(Directory.Exists(Path.Combine(Folder, "out2")), Is.False);

        var noStudy = CliProcess.Run(Minutes, null, "portfolio", "build", "--storage", sourceDb, "--task", "regression", "--out", Path.Combine(Folder, "r.json"));
        Assert.That(noStudy.ExitCode, Is.EqualTo(2));
        Assert.That(noStudy.Error, Does.Contain("No study of the task 'regression'").And.Contain("Studies there: may."));
    }

    [Test]
    public void Portfolio_default_runs_the_shipped_configurations_of_the_tuned_trainers_first()
    {
        var shipped = MLNetTuning.Portfolios.PortfolioFile.LoadDefault(MLNetTuning.Pipelines.TuningTask.BinaryClassification)
            .Where(e => e.Trainer is "LbfgsLogisticRegression" or "FastTree").ToList();
        Assert.That(shipped, Is.Not.Empty, "the default binary portfolio has entries for the tuned trainers");

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("out", "june", "--trials", $"{shipped.Count + 1}", "--portfolio", "default"));

        Assert.That(code, Is.EqualTo(0), output + error);
        var trials = Trials(Path.Combine(Folder, "out", "studies.db"), "june");
        var first = trials.Take(shipped.Count).Select(t => t.Parameters.Get<BranchSelection>("trainer")).ToList();
        Assert.That(first.Select(b => b.Branch), Is.EqualTo(shipped.Select(e => e.Trainer)));
        Assert.That(first.Select(b => b.Parameters.ToJson()), Is.EqualTo(shipped.Select(e => e.Parameters.ToJson())));
        Assert.That(trials[shipped.Count].Attributes, Does.Not.ContainKey("enqueued"));
    }
}
