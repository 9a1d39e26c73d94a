using System.Diagnostics;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using static MLNetTuning.Tests.Storage.StoreTestKit;

namespace MLNetTuning.Tests.Storage;

/// <summary>Behaviour every store shares, run against in-memory, SQLite and (when MLNETTUNING_POSTGRES is set) PostgreSQL.</summary>
[TestFixture("memory")]
[TestFixture("sqlite")]
[TestFixture("postgres")]
public class TrialStoreTests(string kind)
{
    private string _folder = "";
    private readonly List<IDisposable> _open = [];
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private InMemoryTrialStore? _memory;

    [SetUp]
    public void SetUp()
    {
        if (kind == "postgres" && PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }

        _folder = TempFolder();
        _memory = new InMemoryTrialStore();
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _open.Clear();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_folder.Length == 0)
        {
            return; // SetUp ignored the test before making a folder.
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A store on the same data as every other store this test opened ("reopening" after a crash).</summary>
    private ITrialStore Store()
    {
        ITrialStore store = kind switch
        {
            "memory" => _memory!,
            "sqlite" => new SqliteTrialStore(Path.Combine(_folder, "study.db")),
            _ => new PostgresTrialStore(PostgresTestDatabase.ConnectionString!),
        };
        if (store is IDisposable d)
        {
            _open.Add(d);
        }

        return store;
    }

    private string Name(string name) => $"{_prefix}-{name}";

    [Test]
    public void A_trial_round_trips_with_everything_it_carries()
    {
        var study = Open(Store(), Name("rt"));
        var trial = study.Ask()!;
        study.Report(trial, 1, 3.5);
        study.Report(trial, 2, 2.25);
        study.SetAttribute(trial, "trainer", "FastTree");
        study.Tell(trial, 2.0);
        var failed = study.Ask()!;
        study.TellFailure(failed, new InvalidOperationException("boom"));

        var loaded = Store().Load(Name("rt"));

        Assert.That(loaded.Select(t => t.Id), Is.EqualTo(new[] { 0, 1 }));
        var first = loaded[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.Parameters, Is.EqualTo(trial.Parameters));
            Assert.That(first.State, Is.EqualTo(TrialState.Completed));
            Assert.That(first.Value, Is.EqualTo(2.0));
            Assert.That(first.Loss, Is.EqualTo(2.0));
            Assert.That(first.IntermediateValues, Is.EqualTo(new Dictionary<int, double> { [1] = 3.5, [2] = 2.25 }));
            Assert.That(first.Attributes["trainer"], Is.EqualTo("FastTree"));
            Assert.That(first.WorkerId, Is.EqualTo(study.WorkerId));
            Assert.That(first.StartedAt.ToUnixTimeMilliseconds(), Is.EqualTo(trial.StartedAt.ToUnixTimeMilliseconds()));
            Assert.That(first.CompletedAt?.ToUnixTimeMilliseconds(), Is.EqualTo(trial.CompletedAt?.ToUnixTimeMilliseconds()));
            Assert.That(loaded[1].State, Is.EqualTo(TrialState.Failed));
            Assert.That(loaded[1].Error, Does.Contain("boom"));
        });
    }

    [Test]
    public void A_seeded_run_resumed_after_a_crash_proposes_what_an_uninterrupted_run_does()
    {
        var reference = Open(new InMemoryTrialStore(), Name("ref")).Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 10 });

        var first = Open(Store(), Name("resume"));
        first.Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 4 });
        var interrupted = first.Ask()!; // the process dies while this trial runs: it is never told
        Assert.That(interrupted.Id, Is.EqualTo(4));

        var resumed = Open(Store(), Name("resume"));
        var result = resumed.Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 5 });

        Assert.That(result.Trials.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 10)));
        for (var id = 0; id < 10; id++)
        {
            Assert.That(result.Trials[id].Parameters, Is.EqualTo(reference.Trials[id].Parameters), $"trial {id}");
            if (id == 4)
            {
                // The interrupted trial's result is the one thing lost: it is failed, not re-run under its id.
                Assert.That(result.Trials[id].State, Is.EqualTo(TrialState.Failed));
                Assert.That(result.Trials[id].Error, Does.StartWith("Interrupted"));
            }
            else
            {
                Assert.That(result.Trials[id].Value, Is.EqualTo(reference.Trials[id].Value), $"trial {id}");
            }
        }
    }

    [Test]
    public void Reopening_with_another_space_is_refused_with_the_difference_named()
    {
        Open(Store(), Name("space")).Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 1 });
        var other = MLNetTuning.SearchSpaces.HyperparameterSpace.CreateBuilder().Double("x", 0, 1).Build();

        var error = Assert.Throws<InvalidOperationException>(() => _ = new TuningStudy(new RandomTuner(other), new TuningStudyOptions { Name = Name("space"), Store = Store() }));

        Assert.That(error!.Message, Does.Contain("different search space").And.Contain("kind").And.Contain(Name("space")));
    }

    [Test]
    public void Workers_sharing_a_study_get_distinct_ids_and_see_each_others_results()
    {
        var workers = Enumerable.Range(0, 3).Select(_ => Open(Store(), Name("shared"), heartbeatTimeout: TimeSpan.FromSeconds(30))).ToList();
        var runs = workers.Select(w => Task.Run(() => w.Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 15 }))).ToArray();
        Task.WaitAll(runs);

        var all = Store().Load(Name("shared"));
        Assert.That(all.Select(t => t.Id).Distinct().Count(), Is.EqualTo(45));
        Assert.That(all.Count(t => t.State == TrialState.Completed), Is.EqualTo(45));
        Assert.That(all.Select(t => t.WorkerId).Distinct().Count(), Is.EqualTo(3));
        foreach (var worker in workers)
        {
            worker.Refresh();
            Assert.That(worker.Trials.Count(t => t.State == TrialState.Completed), Is.EqualTo(45), "each worker knows every finished trial");
            Assert.That(worker.BestTrial!.Value, Is.EqualTo(all.Min(t => t.Value)));
            worker.Dispose();
        }
    }

    [Test]
    public void Workers_sharing_a_grid_never_run_the_same_point()
    {
        var workers = Enumerable.Range(0, 2).Select(i => new TuningStudy(new GridTuner(Space, new GridTunerOptions { StepsPerRange = 2 }), new TuningStudyOptions
        {
            Name = Name("grid"),
            Store = Store(),
            HeartbeatTimeout = TimeSpan.FromSeconds(30),
            WorkerId = $"grid-worker-{i}",
        })).ToList();
        var points = new GridTuner(Space, new GridTunerOptions { StepsPerRange = 2 }).CountPoints();

        // All trials stay running while the other worker asks, as with long trials on two machines.
        var started = new List<TuningTrial>();
        for (var turn = 0; started.Count < points && turn < 3 * points; turn++)
        {
            if (workers[turn % 2].Ask() is { } trial)
            {
                started.Add(trial);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(started, Has.Count.EqualTo(points));
            Assert.That(started.Select(t => t.Parameters).Distinct().Count(), Is.EqualTo(points), "no point runs twice");
            Assert.That(workers.Select(w => w.Ask()), Is.All.Null, "the grid is exhausted for both");
        });
        workers.ForEach(w => w.Dispose());
    }

    [Test]
    public void A_total_trial_budget_stops_all_workers_at_exactly_that_many_trials()
    {
        var workers = Enumerable.Range(0, 2).Select(_ => new TuningStudy(new RandomTuner(Space), new TuningStudyOptions
        {
            Name = Name("budget"),
            Store = Store(),
            HeartbeatTimeout = TimeSpan.FromSeconds(30),
            TotalTrialBudget = 11,
        })).ToList();

        var results = workers.AsParallel().Select(w => w.Optimize(c => Objective(c.Parameters))).ToList();

        Assert.That(Store().Load(Name("budget")).Count(t => t.State == TrialState.Completed), Is.EqualTo(11));
        Assert.That(results.Select(r => r.StopReason), Is.All.EqualTo(StudyStopReason.MaxTrials));
    }

    [Test]
    public void A_used_up_budget_wastes_no_trial_id_so_a_larger_budget_continues_the_sequence()
    {
        TuningStudy Reopen(int budget) => new(new RandomTuner(Space), new TuningStudyOptions { Name = Name("budget-seq"), Store = Store(), TotalTrialBudget = budget });

        Assert.That(Reopen(3).Optimize(c => Objective(c.Parameters)).Trials, Has.Count.EqualTo(3));
        Assert.That(Reopen(3).Ask(), Is.Null);
        Assert.That(Reopen(3).Ask(), Is.Null);

        Assert.That(Reopen(4).Ask()!.Id, Is.EqualTo(3));
    }

    [Test]
    public void A_shared_worker_that_learns_the_budget_is_used_wastes_no_trial_id()
    {
        TuningStudy Shared(int budget) => new(new RandomTuner(Space), new TuningStudyOptions { Name = Name("budget-shared"), Store = Store(), TotalTrialBudget = budget, HeartbeatTimeout = TimeSpan.FromSeconds(30) });
        var idle = Shared(3); // opened before the others ran: it learns of their trials only when it asks
        Shared(3).Optimize(c => Objective(c.Parameters));

        Assert.That(idle.Ask(), Is.Null);
        Assert.That(Shared(4).Ask()!.Id, Is.EqualTo(3));
    }

    [Test]
    public void Reading_and_reserving_together_reads_first_and_reserves_only_below_the_limit()
    {
        var study = Open(Store(), Name("reserve"));
        for (var i = 0; i < 3; i++)
        {
            study.Tell(study.Ask()!, i);
        }

        var store = Store();
        var (trials, reserved) = store.LoadFromAndReserveId(Name("reserve"), 1, null, null);

        Assert.That(trials.Select(t => t.Id), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(reserved, Is.Null.Or.EqualTo(3), "a store that reserves hands out the next id");
        var next = store.NextTrialId(Name("reserve"));
        Assert.That(next, Is.EqualTo(reserved is null ? 3 : 4));

        var (all, pastLimit) = store.LoadFromAndReserveId(Name("reserve"), 0, null, next + 1);
        Assert.That(all.Select(t => t.Id), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(pastLimit, Is.Null, "the next id is at the limit: nothing is reserved");
        Assert.That(store.NextTrialId(Name("reserve")), Is.EqualTo(next + 1));
    }

    [Test]
    public void A_dead_workers_trial_is_failed_after_its_heartbeat_timeout_and_can_be_requeued()
    {
        var dead = Open(Store(), Name("hb"), heartbeatTimeout: TimeSpan.FromMilliseconds(300), workerId: "other-machine-worker");
        var abandoned = dead.Ask()!;
        dead.Dispose(); // no more heartbeats: the worker is gone

        var alive = Open(Store(), Name("hb"), heartbeatTimeout: TimeSpan.FromMilliseconds(300), requeue: true);
        Assert.That(alive.Trials.Single(t => t.Id == abandoned.Id).State, Is.EqualTo(TrialState.Running), "not expired yet");
        Thread.Sleep(700);
        var next = alive.Ask()!;

        var stored = Store().Load(Name("hb")).Single(t => t.Id == abandoned.Id);
        Assert.That(stored.State, Is.EqualTo(TrialState.Failed));
        Assert.That(stored.Error, Does.Contain("heartbeat"));
        Assert.That(next.Parameters, Is.EqualTo(abandoned.Parameters), "re-queued parameters run again");
        Assert.That(next.Attributes["requeued_from"], Is.EqualTo(abandoned.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(next.Id, Is.Not.EqualTo(abandoned.Id));
        alive.Dispose();
    }

    [Test]
    public void Heartbeats_keep_a_long_trial_of_a_live_worker_running()
    {
        var busy = Open(Store(), Name("alive"), heartbeatTimeout: TimeSpan.FromMilliseconds(400), workerId: "busy-worker");
        var trial = busy.Ask()!;
        var other = Open(Store(), Name("alive"), heartbeatTimeout: TimeSpan.FromMilliseconds(400));
        for (var i = 0; i < 6; i++)
        {
            Thread.Sleep(200);
            other.Refresh();
        }

        Assert.That(Store().Load(Name("alive")).Single(t => t.Id == trial.Id).State, Is.EqualTo(TrialState.Running));
        busy.Tell(trial, 1.0);
        other.Refresh();
        Assert.That(other.Trials.Single(t => t.Id == trial.Id).State, Is.EqualTo(TrialState.Completed));
        busy.Dispose();
        other.Dispose();
    }

    [Test]
    public void A_trial_whose_local_process_is_gone_is_failed_on_open_without_waiting()
    {
        using var gone = Process.Start(new ProcessStartInfo("sleep", "0.01") { UseShellExecute = false })!;
        gone.WaitForExit();
        var deadId = $"{Environment.MachineName}/{gone.Id}/{new DateTimeOffset(DateTime.UtcNow).ToUnixTimeSeconds()}/1";
        var crashed = Open(Store(), Name("pid"), heartbeatTimeout: TimeSpan.FromHours(1), workerId: deadId);
        var trial = crashed.Ask()!;
        crashed.Dispose();

        var resumed = Open(Store(), Name("pid"), heartbeatTimeout: TimeSpan.FromHours(1));

        Assert.That(resumed.Trials.Single(t => t.Id == trial.Id).State, Is.EqualTo(TrialState.Failed));
        Assert.That(resumed.Trials.Single(t => t.Id == trial.Id).Error, Does.Contain("is gone"));
        resumed.Dispose();
    }

    [Test]
    public void Studies_are_listed_with_their_counts_and_attributes()
    {
        var store = Store();
        Open(store, Name("list-a")).Optimize(c => Objective(c.Parameters), new StudyLimits { MaxTrials = 3 });
        Open(store, Name("list-b")).Optimize(c => c.Trial.Id == 0 ? throw new InvalidOperationException("x") : 1.0, new StudyLimits { MaxTrials = 2 });
        store.SetStudyAttribute(Name("list-a"), "note", "hello");

        var studies = Store().ListStudies().Where(s => s.Name.StartsWith(Name("list-"), StringComparison.Ordinal)).ToList();

        Assert.That(studies.Select(s => s.Name), Is.EqualTo(new[] { Name("list-a"), Name("list-b") }));
        Assert.That(studies[0].TrialCounts[TrialState.Completed], Is.EqualTo(3));
        Assert.That(studies[0].Attributes["note"], Is.EqualTo("hello"));
        Assert.That(studies[1].TrialCounts[TrialState.Failed], Is.EqualTo(1));
        Assert.That(studies[0].Space.ToJsonString(), Is.EqualTo(Space.ToJsonString()));
        Assert.That(Store().FindStudy(Name("missing")), Is.Null);
    }

    [Test]
    public void Invalid_study_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Store().OpenStudy("x'; DROP TABLE trials; --", Space, OptimizationDirection.Minimize));
    }
}
