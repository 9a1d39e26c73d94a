using System.Text.Json.Nodes;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using static MLNetTuning.Tests.RepositoryFiles;

namespace MLNetTuning.Tests.Cli;

/// <summary>mlnet-tune run as real processes: output, exit codes, kill -9 and resume, workers, heartbeats.</summary>
[NonParallelizable]
public class CliTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string[] Tune(params string[] more) =>
        ["tune", "--data", Loans, "--label", "approved", "--task", "binary", "--output", Path.Combine(Folder, "out"), .. more];

    [Test]
    public void Tune_shows_a_leaderboard_saves_the_model_and_a_summary_and_the_store_lists_it()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trainers", "LbfgsLogisticRegression,SdcaLogisticRegression", "--trials", "4"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Leaderboard").And.Contain("Best AreaUnderRocCurve = "));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "out", "summary.json")))!;
        Assert.That((int)summary["trials"]!["completed"]!, Is.EqualTo(4));
        TestContext.Out.WriteLine($"measured: best AUC {(double)summary["best"]!["value"]!:F4}");
        Assert.That((double)summary["best"]!["value"]!, Is.GreaterThan(0.88).And.LessThanOrEqualTo(1), "measured 0.9044");
        Assert.That(new FileInfo(Path.Combine(Folder, "out", "best-model.zip")).Length, Is.GreaterThan(0));

        var db = Path.Combine(Folder, "out", "studies.db");
        var studies = CliProcess.Run(Minutes, null, "studies", "--storage", db);
        Assert.That(studies.ExitCode, Is.EqualTo(0), studies.Error);
        Assert.That(studies.Output, Does.Contain("loans-binary").And.Contain("1 studies."));
        var trials = CliProcess.Run(Minutes, null, "trials", "--storage", db, "--study", "loans-binary");
        Assert.That(trials.ExitCode, Is.EqualTo(0), trials.Error);
        Assert.That(trials.Output, Does.Contain("4 trials."));
    }

    [Test]
    public void A_rerun_whose_best_is_an_earlier_runs_trial_keeps_its_model_file_and_trains_it_again_only_where_missing()
    {
        string[] args = Tune("--trainers", "LbfgsLogisticRegression", "--trials", "3");
        var model = Path.Combine(Folder, "out", "best-model.zip");
        Assert.That(CliProcess.Run(Minutes, null, args).ExitCode, Is.EqualTo(0));
        var written = File.ReadAllBytes(model);

        // The same command again: no trial left to run, the best is the first run's, and the file already holds it.
        var again = CliProcess.Run(Minutes, null, args);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Output + again.Error);
        Assert.That(again.Output, Does.Contain("0 trials run now").And.Not.Contain("training it again"));
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(written));

        // A model file newer than its summary may be a later trial's (a run killed after a background save): not trusted.
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddMinutes(1));
        var newer = CliProcess.Run(Minutes, null, args);
        Assert.That(newer.Output, Does.Contain("so its model is not in this process: training it again for"), newer.Output + newer.Error);

        // Another output folder has no model of that trial: it is trained again, and said so.
        var elsewhere = CliProcess.Run(Minutes, null, [.. args.Select(a => a == Path.Combine(Folder, "out") ? Path.Combine(Folder, "other") : a), "--storage", Path.Combine(Folder, "out", "studies.db")]);
        Assert.That(elsewhere.ExitCode, Is.EqualTo(0), elsewhere.Output + elsewhere.Error);
        Assert.That(elsewhere.Output, Does.Match(@"Trial \d+ ran in an earlier run or on another worker, so its model is not in this process: training it again for"));
        Assert.That(new FileInfo(Path.Combine(Folder, "other", "best-model.zip")).Length, Is.GreaterThan(0));
    }

    [TestCase("missing-file", "Data file not found")]
    [TestCase("unknown-label", "Unknown label column 'nope'")]
    [TestCase("empty-data", "no data rows")]
    [TestCase("unknown-trainer", "Unknown trainer 'Magic'")]
    [TestCase("unknown-tuner", "Unknown tuner 'psychic'")]
    [TestCase("unknown-task", "Unknown task 'clustering'")]
    [TestCase("unknown-tuner-option", "'gp' has no option 'Costly'")]
    public void Bad_input_names_the_problem_exits_2_and_creates_no_store(string problem, string message)
    {
        var empty = Path.Combine(Folder, "empty.csv");
        File.WriteAllText(empty, "a,b,label\n");
        string[] args = problem switch
        {
            "missing-file" => ["tune", "--data", Path.Combine(Folder, "nothing.csv"), "--label", "x", "--task", "binary", "--output", Path.Combine(Folder, "out")],
            "unknown-label" => Tune("--trials", "1") is var a ? [.. a.Select(x => x == "approved" ? "nope" : x)] : [],
            "empty-data" => ["tune", "--data", empty, "--label", "label", "--task", "binary", "--output", Path.Combine(Folder, "out")],
            "unknown-trainer" => Tune("--trainers", "Magic"),
            "unknown-tuner" => Tune("--tuner", "psychic"),
            "unknown-tuner-option" => Tune("--tuner", "gp", "--tuner-option", "Costly=false"),
            _ => Tune() is var t ? [.. t.Select(x => x == "binary" ? "clustering" : x)] : [],
        };

        var (code, output, error) = CliProcess.Run(Minutes, null, args);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain(message));
        Assert.That(File.Exists(Path.Combine(Folder, "out", "studies.db")), Is.False, "bad input must not touch the store");
    }

    [TestCase("studies")]
    [TestCase("trials")]
    [TestCase("worker")]
    public void Reading_commands_do_not_create_a_store_that_is_not_there(string command)
    {
        var db = Path.Combine(Folder, "absent", "studies.db");

        var (code, output, error) = CliProcess.Run(Minutes, null, command == "studies" ? ["studies", "--storage", db] : [command, "--storage", db, "--study", "s"]);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("No store at").And.Contain(db));
        Assert.That(File.Exists(db), Is.False);
    }

    [Test]
    public void A_corrupt_sqlite_file_exits_3_naming_it()
    {
        var db = Path.Combine(Folder, "corrupt.db");
        File.WriteAllText(db, new string('x', 5000));

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", db));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain(db).And.Contain("not a SQLite database"));
        Assert.That(File.ReadAllText(db), Is.EqualTo(new string('x', 5000)), "the file is left as it was");
    }

    [Test]
    public void An_unreachable_database_exits_3_without_showing_the_password()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", "postgres:Host=127.0.0.1;Port=1;Username=u;Password=s3cret-pw;Timeout=3"));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain("Cannot use the PostgreSQL store").And.Contain("Password=***"));
        Assert.That(output + error, Does.Not.Contain("s3cret-pw"));
    }

    [Test]
    public void A_study_killed_with_sigkill_resumes_without_losing_or_duplicating_completed_trials()
    {
        var db = Path.Combine(Folder, "kill.db");
        string[] args = Tune("--trainers", "FastTree,FastForest", "--trials", "14", "--storage", db, "--study", "kill");

        List<TuningTrial> before;
        using (var first = CliProcess.Start(null, args))
        {
            before = WaitForCompleted(db, "kill", atLeast: 3, first);
            first.KillHard();
        }

        using (var store = new SqliteTrialStore(db))
        {
            before = store.Load("kill").Where(t => t.State == TrialState.Completed).ToList();
        }

        var resumed = CliProcess.Run(Minutes, null, args);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Output + resumed.Error);
        Assert.That(resumed.Output, Does.Contain("Resuming"));

        using var reopened = new SqliteTrialStore(db);
        var after = reopened.Load("kill");
        Assert.Multiple(() =>
        {
            Assert.That(after.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 14)), "ids continue, none twice, the budget holds");
            foreach (var old in before)
            {
                var now = after.Single(t => t.Id == old.Id);
                Assert.That(now.State, Is.EqualTo(TrialState.Completed), $"trial {old.Id} lost");
                Assert.That(now.Value, Is.EqualTo(old.Value), $"trial {old.Id} changed");
                Assert.That(now.Parameters, Is.EqualTo(old.Parameters), $"trial {old.Id} changed");
            }

            Assert.That(after.Count(t => t.State == TrialState.Running), Is.Zero);
            Assert.That(after.Where(t => t.State == TrialState.Failed).Select(t => t.Error), Has.All.StartWith("Interrupted"));
            Assert.That(after.Count(t => t.State == TrialState.Failed), Is.LessThanOrEqualTo(1), "only the trial running at the kill");
            Assert.That(after.Count(t => t.State == TrialState.Completed), Is.EqualTo(14 - after.Count(t => t.State == TrialState.Failed)));
        });
    }

    [Test]
    public void A_worker_killed_mid_trial_has_its_trial_failed_after_the_heartbeat_timeout()
    {
        var db = Path.Combine(Folder, "hb.db");
        var create = CliProcess.Run(Minutes, null, Tune("--trainers", "FastTree", "--trials", "60", "--storage", db, "--study", "hb", "--create-only"));
        Assert.That(create.ExitCode, Is.EqualTo(0), create.Output + create.Error);

        TuningTrial? orphan = null;
        for (var attempt = 0; attempt < 5 && orphan is null; attempt++)
        {
            using var worker = CliProcess.Start(null, "worker", "--storage", db, "--study", "hb", "--worker-id", "remote-a", "--heartbeat-timeout", "2");
            WaitFor(() => Load(db, "hb").Any(t => t.WorkerId == "remote-a" && t.State == TrialState.Running), worker);
            worker.KillHard();
            orphan = Load(db, "hb").FirstOrDefault(t => t.WorkerId == "remote-a" && t.State == TrialState.Running);
        }

        Assert.That(orphan, Is.Not.Null, "a worker was killed while a trial ran");
        Thread.Sleep(2500);
        var other = CliProcess.Run(Minutes, null, "worker", "--storage", db, "--study", "hb", "--trials", "1", "--heartbeat-timeout", "2");
        Assert.That(other.ExitCode, Is.EqualTo(0), other.Output + other.Error);

        var stored = Load(db, "hb").Single(t => t.Id == orphan!.Id);
        Assert.That(stored.State, Is.EqualTo(TrialState.Failed));
        Assert.That(stored.Error, Does.Contain("heartbeat"));
    }

    [Test]
    public void Four_postgres_workers_of_fifty_trials_give_exactly_two_hundred_distinct_completed_trials()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }

        var study = "cli-" + Guid.NewGuid().ToString("N")[..10];
        var create = CliProcess.Run(Minutes, null, Tune("--trainers", "LbfgsLogisticRegression", "--trials", "200", "--storage", "postgres", "--study", study, "--create-only"));
        Assert.That(create.ExitCode, Is.EqualTo(0), create.Output + create.Error);
        Assert.That(create.Output + create.Error, Does.Not.Contain(new Npgsql.NpgsqlConnectionStringBuilder(PostgresTestDatabase.ConnectionString).Password!));

        var workers = Enumerable.Range(0, 4).Select(_ => CliProcess.Start(null, "worker", "--storage", "postgres", "--study", study, "--trials", "50")).ToList();
        foreach (var worker in workers)
        {
            Assert.That(worker.WaitForExit(TimeSpan.FromMinutes(6)), Is.EqualTo(0), worker.Output + worker.Error);
            worker.Dispose();
        }

        using var store = new PostgresTrialStore();
        var trials = store.Load(study);
        Assert.That(trials.Count(t => t.State == TrialState.Completed), Is.EqualTo(200));
        Assert.That(trials.Select(t => t.Id).Distinct().Count(), Is.EqualTo(200));
        Assert.That(trials.GroupBy(t => t.WorkerId).Select(g => g.Count()), Is.EqualTo(new[] { 50, 50, 50, 50 }));
    }

    private static List<TuningTrial> Load(string db, string study)
    {
        using var store = new SqliteTrialStore(db);
        return store.Load(study).ToList();
    }

    private static List<TuningTrial> WaitForCompleted(string db, string study, int atLeast, CliProcess process)
    {
        List<TuningTrial> trials = [];
        WaitFor(() => File.Exists(db) && (trials = Load(db, study)).Count(t => t.State == TrialState.Completed) >= atLeast, process);
        return trials;
    }

    private static void WaitFor(Func<bool> condition, CliProcess process)
    {
        var deadline = DateTime.UtcNow + Minutes;
        while (!condition())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The condition was not met before the process ended.\n{process.Output}\n{process.Error}");
            }

            Thread.Sleep(50);
        }
    }
}
