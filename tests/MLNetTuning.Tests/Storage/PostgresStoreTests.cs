using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using Npgsql;
using static MLNetTuning.Tests.Storage.StoreTestKit;

namespace MLNetTuning.Tests.Storage;

/// <summary>What the PostgreSQL store does beyond the shared store behaviour: the connection it keeps open between calls.</summary>
public class PostgresStoreTests
{
    private readonly string _prefix = "p" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<IDisposable> _open = [];

    [SetUp]
    public void SetUp()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _open.Clear();
    }

    [Test]
    public void After_the_server_drops_the_kept_connection_one_call_fails_and_the_next_reconnects()
    {
        // A name of its own, so that only this store's connections are dropped.
        var application = _prefix + "-drop";
        var store = Store(application);
        var name = _prefix + "-drop";
        var study = Open(store, name);
        study.Tell(study.Ask()!, 1.0);

        Assert.That(TerminateConnections(application), Is.GreaterThan(0), "the store keeps a connection open between calls");

        Assert.Throws<TrialStoreException>(() => store.NextTrialId(name));
        Assert.That(store.NextTrialId(name), Is.EqualTo(1), "the failed call reserved nothing and the next one runs on a new connection");
        Assert.That(store.Load(name).Single().State, Is.EqualTo(TrialState.Completed));
    }

    [Test]
    public void One_store_used_by_many_threads_at_once_hands_out_unique_ids_and_keeps_every_trial()
    {
        var store = Store(_prefix + "-threads");
        var name = _prefix + "-threads";
        store.OpenStudy(name, Space, OptimizationDirection.Minimize);
        var tuner = new RandomTuner(Space, null, 5);
        const int threads = 8;
        const int perThread = 25;

        // Each thread reserves and saves on the same store object: calls that find the kept connection busy use the pool.
        var ids = Enumerable.Range(0, threads).AsParallel().WithDegreeOfParallelism(threads).SelectMany(_ =>
        {
            var mine = new List<int>();
            for (var i = 0; i < perThread; i++)
            {
                var id = store.NextTrialId(name);
                TrialParameters parameters;
                lock (tuner)
                {
                    parameters = tuner.Propose(id)!.Parameters;
                }

                var trial = new TuningTrial(id, parameters);
                store.Save(name, trial);
                trial.Restore(TrialState.Completed, id, id, null, DateTimeOffset.UtcNow);
                store.Save(name, trial);
                mine.Add(id);
            }

            return mine;
        }).ToList();

        Assert.That(ids.Order(), Is.EqualTo(Enumerable.Range(0, threads * perThread)));
        var stored = Store(_prefix + "-reader").Load(name);
        Assert.That(stored.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, threads * perThread)));
        Assert.That(stored.Select(t => t.Value), Is.EqualTo(Enumerable.Range(0, threads * perThread).Select(i => (double?)i)));
    }

    private PostgresTrialStore Store(string applicationName)
    {
        var connection = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        var store = new PostgresTrialStore(connection);
        _open.Add(store);
        return store;
    }

    /// <summary>Ends, on the server, every connection with this application name; waits until they are gone.</summary>
    private static int TerminateConnections(string applicationName)
    {
        using var dataSource = NpgsqlDataSource.Create(PostgresTestDatabase.ConnectionString!);
        using var command = dataSource.CreateCommand(
            // CASE, because the planner may evaluate the conditions of a WHERE in any order.
            "SELECT count(CASE WHEN application_name = $1 THEN pg_terminate_backend(pid, 5000) END) FROM pg_stat_activity");
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
