using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `storage`: milliseconds of storage per trial (ask + tell with a no-op objective) on studies already holding
/// 1k, 10k and 100k trials, for each store, alone and shared (syncing before each proposal); and trial
/// throughput of 1, 2 and 4 workers sharing a study on an objective of fixed length (1 s by default).
/// </summary>
public sealed class StorageBenchmark : IBenchmarkCommand
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Double("learning_rate", 1e-4, 1, logScale: true)
        .Int("leaves", 4, 1024, logScale: true)
        .Double("fraction", 0.1, 1)
        .Choice("booster", "gbdt", "dart", "goss")
        .Build();

    public string Name => "storage";

    public string Summary => "ms of storage per trial at 1k/10k/100k stored trials per store; throughput of 1/2/4 workers (--objective-ms, default 1000)";

    public int Run(BenchmarkArguments arguments)
    {
        var sizes = arguments.String("sizes", "1000,10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var measured = arguments.Int("trials", 300);
        var objectiveMs = arguments.Int("objective-ms", 1000);
        var workerTrials = arguments.Int("worker-trials", 6);
        var stores = arguments.String("stores", "memory,sqlite,postgres").Split(',').ToList();
        var jsonPath = arguments.OutputPath("storage.json");
        var parts = arguments.String("parts", "overhead,throughput").Split(',');
        arguments.RejectUnknown();
        if (stores.Contains("postgres") && Environment.GetEnvironmentVariable(PostgresConnectionStrings.EnvironmentVariable) is not { Length: > 0 })
        {
            Console.WriteLine($"postgres skipped: set {PostgresConnectionStrings.EnvironmentVariable} (see .ci/postgres.sh).");
            stores.Remove("postgres");
        }

        var folder = Path.Combine(Path.GetTempPath(), "mlnettuning-storage-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var overhead = new JsonArray();
        var throughput = new JsonArray();
        try
        {
            Console.WriteLine($"{"store",-9} {"stored",8} {"fill s",8} {"open ms",9} {"alone ms/trial",15} {"shared ms/trial",16} {"load",6}");
            foreach (var kind in parts.Contains("overhead") ? stores : [])
            {
                foreach (var size in sizes)
                {
                    var row = MeasureOverhead(kind, size, measured, folder);
                    overhead.Add(row);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-9} {size,8} {(double)row["fill_seconds"]!,8:F1} {(double)row["open_ms"]!,9:F1} {(double)row["alone_ms_per_trial"]!,15:F3} {(double)row["shared_ms_per_trial"]!,16:F3} {(double)row["load_average"]!,6:F1}"));
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"store",-9} {"workers",8} {"objective s",12} {"trials",7} {"wall s",8} {"trials/s",9} {"ideal",7} {"efficiency",11}");
            foreach (var kind in parts.Contains("throughput") ? stores : [])
            {
                foreach (var workers in new[] { 1, 2, 4 })
                {
                    var row = MeasureThroughput(kind, workers, workerTrials, objectiveMs, folder);
                    throughput.Add(row);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-9} {workers,8} {objectiveMs / 1000.0,12:F3} {(int)row["trials"]!,7} {(double)row["wall_seconds"]!,8:F2} {(double)row["trials_per_second"]!,9:F3} {(double)row["ideal_trials_per_second"]!,7:F3} {(double)row["efficiency"]!,11:P1}"));
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        var json = new JsonObject
        {
            ["command"] = Name,
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            ["measured_trials"] = measured,
            ["objective_ms"] = objectiveMs,
            ["overhead"] = overhead,
            ["throughput"] = throughput,
        };
        File.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {Path.GetFullPath(jsonPath)}");
        return 0;
    }

    private static JsonObject MeasureOverhead(string kind, int size, int measured, string folder)
    {
        var name = $"bench-{size}-{Guid.NewGuid().ToString("N")[..8]}";
        using var stores = new StoreSet(kind, folder, name);
        var fill = Stopwatch.StartNew();
        Fill(stores, name, size);
        fill.Stop();

        var open = Stopwatch.StartNew();
        var alone = new TuningStudy(new RandomTuner(Space, null, 1), new TuningStudyOptions { Name = name, Store = stores.Next() });
        open.Stop();
        var aloneMs = AskTell(alone, measured);

        using var shared = new TuningStudy(new RandomTuner(Space, null, 1), new TuningStudyOptions { Name = name, Store = stores.Next(), HeartbeatTimeout = TimeSpan.FromMinutes(5) });
        var sharedMs = AskTell(shared, measured);
        return new JsonObject
        {
            ["store"] = kind,
            ["stored_trials"] = size,
            ["fill_seconds"] = Math.Round(fill.Elapsed.TotalSeconds, 2),
            ["open_ms"] = Math.Round(open.Elapsed.TotalMilliseconds, 2),
            ["alone_ms_per_trial"] = Math.Round(aloneMs, 4),
            ["shared_ms_per_trial"] = Math.Round(sharedMs, 4),
            ["load_average"] = LoadAverage(),
        };
    }

    /// <summary>Milliseconds per trial of ask, an intermediate report and tell, with an objective that costs nothing (median of batches).</summary>
    private static double AskTell(TuningStudy study, int trials)
    {
        // Enough trials for the code on the path to be compiled by the time measuring starts.
        for (var i = 0; i < 50; i++)
        {
            var warm = study.Ask()!;
            study.Report(warm, 1, i + 0.5);
            study.Tell(warm, i);
        }

        // Batches of 20, and the median batch: the machine is shared, and bursts of other work should not count as storage.
        var perTrial = new List<double>();
        for (var done = 0; done < trials; done += 20)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                var trial = study.Ask()!;
                study.Report(trial, 1, i + 0.5);
                study.Tell(trial, i);
            }

            perTrial.Add(clock.Elapsed.TotalMilliseconds / 20);
        }

        perTrial.Sort();
        return perTrial[perTrial.Count / 2];
    }

    /// <summary>The machine's one-minute load average (Linux), so that figures from a busy machine can be told apart; -1 elsewhere.</summary>
    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    private static void Fill(StoreSet stores, string name, int size)
    {
        var tuner = new RandomTuner(Space, null, 3);
        stores.First.OpenStudy(name, Space, OptimizationDirection.Minimize);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var trials = Enumerable.Range(0, size).Select(id =>
        {
            var trial = new TuningTrial(id, tuner.Propose(id).Parameters, startedAt: start);
            trial.Restore(TrialState.Completed, id % 97, id % 97, null, start.AddSeconds(1), [KeyValuePair.Create(1, 1.0 * id)], [KeyValuePair.Create("trainer", "bench")], "filler");
            return trial;
        }).ToList();
        if (stores.Kind == "postgres")
        {
            // Filling is not what is measured: one bulk insert instead of 100k round trips.
            FillPostgres(name, trials);
            return;
        }

        if (stores.Kind == "sqlite")
        {
            FillSqlite(((SqliteTrialStore)stores.First).Path, name, trials);
            return;
        }

        foreach (var trial in trials)
        {
            stores.First.Save(name, trial);
        }
    }

    private static void FillPostgres(string name, List<TuningTrial> trials)
    {
        var records = trials.Select(TrialRecord.From).ToList();
        using var dataSource = Npgsql.NpgsqlDataSource.Create(PostgresConnectionStrings.Resolve(null));
        using var command = dataSource.CreateCommand("""
            INSERT INTO mlnettuning_trials (study_id, trial_id, state, parameters_json, value, loss, intermediate_json, attributes_json, worker_id, started_at_ms, completed_at_ms, heartbeat_at_ms)
            SELECT s.study_id, r.id, 'completed', r.p, r.v, r.v, r.i, r.a, 'filler', r.t0, r.t1, r.t1
            FROM mlnettuning_studies s, unnest(@ids, @ps, @vs, @is, @as, @t0s, @t1s) AS r(id, p, v, i, a, t0, t1)
            WHERE s.name = @n;
            UPDATE mlnettuning_studies SET next_trial_id = @count WHERE name = @n;
            """);
        command.Parameters.AddWithValue("n", name);
        command.Parameters.AddWithValue("count", records.Count);
        command.Parameters.AddWithValue("ids", records.Select(r => r.TrialId).ToArray());
        command.Parameters.AddWithValue("ps", records.Select(r => r.ParametersJson).ToArray());
        command.Parameters.AddWithValue("vs", records.Select(r => r.Value ?? 0).ToArray());
        command.Parameters.AddWithValue("is", records.Select(r => r.IntermediateJson).ToArray());
        command.Parameters.AddWithValue("as", records.Select(r => r.AttributesJson).ToArray());
        command.Parameters.AddWithValue("t0s", records.Select(r => r.StartedAtMs).ToArray());
        command.Parameters.AddWithValue("t1s", records.Select(r => r.CompletedAtMs ?? 0).ToArray());
        command.ExecuteNonQuery();
    }

    private static void FillSqlite(string path, string name, List<TuningTrial> trials)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO trials (study_id, trial_id, state, parameters_json, value, loss, intermediate_json, attributes_json, worker_id, started_at_ms, completed_at_ms, heartbeat_at_ms)
            SELECT study_id, $id, 'completed', $p, $v, $v, $i, $a, 'filler', $t0, $t1, $t1 FROM studies WHERE name = $n
            """;
        var id = command.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
        var p = command.Parameters.Add("$p", Microsoft.Data.Sqlite.SqliteType.Text);
        var v = command.Parameters.Add("$v", Microsoft.Data.Sqlite.SqliteType.Real);
        var i = command.Parameters.Add("$i", Microsoft.Data.Sqlite.SqliteType.Text);
        var a = command.Parameters.Add("$a", Microsoft.Data.Sqlite.SqliteType.Text);
        var t0 = command.Parameters.Add("$t0", Microsoft.Data.Sqlite.SqliteType.Integer);
        var t1 = command.Parameters.Add("$t1", Microsoft.Data.Sqlite.SqliteType.Integer);
        command.Parameters.AddWithValue("$n", name);
        foreach (var r in trials.Select(TrialRecord.From))
        {
            (id.Value, p.Value, v.Value, i.Value, a.Value, t0.Value, t1.Value) = (r.TrialId, r.ParametersJson, r.Value ?? 0, r.IntermediateJson, r.AttributesJson, r.StartedAtMs, r.CompletedAtMs ?? 0);
            command.ExecuteNonQuery();
        }

        command.Parameters.Clear();
        command.CommandText = "UPDATE studies SET next_trial_id = $count WHERE name = $n";
        command.Parameters.AddWithValue("$count", trials.Count);
        command.Parameters.AddWithValue("$n", name);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static JsonObject MeasureThroughput(string kind, int workers, int trialsPerWorker, int objectiveMs, string folder)
    {
        // Workers here are threads blocking in a sleeping objective; separate processes would each have their own
        // thread pool, so the pool must not make them wait for threads.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, 4 * workers + 4), minIo);
        var name = $"throughput-{workers}-{Guid.NewGuid().ToString("N")[..8]}";
        using var stores = new StoreSet(kind, folder, name);
        var studies = Enumerable.Range(0, workers)
            .Select(_ => new TuningStudy(new RandomTuner(Space, null, 1), new TuningStudyOptions { Name = name, Store = stores.Next(), HeartbeatTimeout = TimeSpan.FromSeconds(30) }))
            .ToList();
        var clock = Stopwatch.StartNew();
        var threads = studies.Select(s => new Thread(() => s.Optimize(_ => { Thread.Sleep(objectiveMs); return 1.0; }, new StudyLimits { MaxTrials = trialsPerWorker }))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        clock.Stop();
        var completed = stores.First.Load(name).Count(t => t.State == TrialState.Completed);
        studies.ForEach(s => s.Dispose());
        var rate = completed / clock.Elapsed.TotalSeconds;
        var ideal = workers * 1000.0 / objectiveMs;
        return new JsonObject
        {
            ["store"] = kind,
            ["workers"] = workers,
            ["objective_seconds"] = objectiveMs / 1000.0,
            ["trials"] = completed,
            ["wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            ["trials_per_second"] = Math.Round(rate, 4),
            ["ideal_trials_per_second"] = Math.Round(ideal, 4),
            ["efficiency"] = Math.Round(rate / ideal, 4),
        };
    }

    /// <summary>Store instances on one set of data: each worker gets its own (its own connection), as separate processes would.</summary>
    private sealed class StoreSet(string kind, string folder, string name) : IDisposable
    {
        private readonly List<ITrialStore> _opened = [];
        private readonly InMemoryTrialStore _memory = new();
        private readonly string _path = Path.Combine(folder, name + ".db");

        public string Kind => kind;

        public ITrialStore First => _opened.Count > 0 ? _opened[0] : Next();

        public ITrialStore Next()
        {
            ITrialStore store = kind switch
            {
                "memory" => _memory,
                "sqlite" => new SqliteTrialStore(_path),
                "postgres" => new PostgresTrialStore(),
                _ => throw new ArgumentException($"Unknown store '{kind}': use memory, sqlite or postgres."),
            };
            lock (_opened)
            {
                _opened.Add(store);
            }

            return store;
        }

        public void Dispose()
        {
            foreach (var store in _opened.OfType<IDisposable>())
            {
                store.Dispose();
            }
        }
    }
}
