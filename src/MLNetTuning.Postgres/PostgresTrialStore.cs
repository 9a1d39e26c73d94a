using System.Net.Sockets;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using Npgsql;
using NpgsqlTypes;

namespace MLNetTuning.Storage;

/// <summary>
/// Keeps studies in PostgreSQL, so that worker processes on many machines share one study. Trial ids are
/// reserved with one atomic update; heartbeats and their expiry use the database server's clock, so the
/// workers' clocks need not agree. Tables are named <c>mlnettuning_*</c> and created on first use.
/// </summary>
/// <remarks>
/// <para>Connection strings are never shown with their password (see <see cref="PostgresConnectionStrings.Mask"/>).</para>
/// <para>A trial costs four round trips (reserve its id, save it when it starts, after a report, when it ends; a shared
/// study reads the others' trials in the same round trip as the reservation). The store keeps one connection open and
/// lets Npgsql prepare its statements (<c>Max Auto Prepare</c>, default <see cref="DefaultMaxAutoPrepare"/>); behind a
/// pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode), put
/// <c>Max Auto Prepare=0</c> in the connection string. Every write commits before the call returns, so the server's
/// <c>synchronous_commit</c> and <c>fsync</c> settings decide what a crash of the server can lose.</para>
/// </remarks>
public sealed partial class PostgresTrialStore : ITrialStore, IDisposable
{
    /// <summary>The schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    private const string TrialColumns = TrialRows.Columns;
    /// <summary>How many statements each connection keeps prepared unless the connection string says otherwise (Max Auto Prepare).</summary>
    public const int DefaultMaxAutoPrepare = 32;

    private const string ServerNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    // Reserves the next id, only below $2 when $2 is not null; no row when the bound is reached.
    private const string ReserveIdSql = "UPDATE mlnettuning_studies SET next_trial_id = next_trial_id + 1 WHERE study_id = $1 AND ($2::integer IS NULL OR next_trial_id < $2) RETURNING next_trial_id - 1";

    private const string LoadFromSql = $"SELECT {TrialColumns} FROM mlnettuning_trials WHERE study_id = $1 AND trial_id >= $2 AND NOT (state = 'running' AND worker_id IS NOT DISTINCT FROM $3) ORDER BY trial_id";

    private const string SaveSql = $"""
        WITH saved AS (
          INSERT INTO mlnettuning_trials (study_id, {TrialColumns})
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, {ServerNowMs})
          ON CONFLICT (study_id, trial_id) DO UPDATE SET
            state = excluded.state, parameters_json = excluded.parameters_json, budget = excluded.budget,
            parent_trial_id = excluded.parent_trial_id, value = excluded.value, loss = excluded.loss,
            intermediate_json = excluded.intermediate_json, attributes_json = excluded.attributes_json,
            error = excluded.error, worker_id = excluded.worker_id, started_at_ms = excluded.started_at_ms,
            completed_at_ms = excluded.completed_at_ms, heartbeat_at_ms = excluded.heartbeat_at_ms)
        UPDATE mlnettuning_studies SET next_trial_id = $2 + 1 WHERE study_id = $1 AND next_trial_id <= $2
        """;

    private readonly NpgsqlDataSource _dataSource;

    // One connection is kept open for the calls of a trial: taking a pooled connection and giving it back costs
    // about as much client time as a short statement. Calls that find it busy use the pool.
    private readonly object _keptGate = new();
    private NpgsqlConnection? _kept;
    private bool _disposed;
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Id, HyperparameterSpace Space)> _studies = new(StringComparer.Ordinal);

    /// <summary>Connects (creating the tables when missing).</summary>
    /// <param name="connectionString">An Npgsql connection string; when null, the MLNETTUNING_POSTGRES environment variable.</param>
    /// <exception cref="ArgumentException">No connection string, or a malformed one.</exception>
    /// <exception cref="TrialStoreException">The database cannot be reached, refuses the login, or has a newer schema.</exception>
    public PostgresTrialStore(string? connectionString = null)
    {
        var resolved = PostgresConnectionStrings.Resolve(connectionString);
        Description = PostgresConnectionStrings.Mask(resolved);
        try
        {
            // The store keeps no session state, so a pooled connection need not be reset on every return to the pool.
            var builder = new NpgsqlConnectionStringBuilder(resolved) { NoResetOnClose = true };
            if (!NamesAutoPrepare(resolved))
            {
                // Each trial runs the same few statements; prepared once per connection, the server skips
                // parsing and planning them (about half of a statement's cost on loopback).
                builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
                builder.AutoPrepareMinUsages = 2;
            }

            _dataSource = NpgsqlDataSource.Create(builder);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Malformed PostgreSQL connection string '{Description}': {PostgresConnectionStrings.Scrub(e.Message, resolved)}", nameof(connectionString));
        }

        try
        {
            EnsureSchema();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            _dataSource.Dispose();
            throw new TrialStoreException($"Cannot use the PostgreSQL store '{Description}': {PostgresConnectionStrings.Scrub(e.Message, resolved)}", e);
        }
    }

    /// <summary>The connection string with its password masked.</summary>
    public string Description { get; }

    /// <inheritdoc/>
    public int NextTrialId(string studyName) => Run(connection =>
        Convert.ToInt32(Scalar(connection, ReserveIdSql, Value(StudyOf(connection, studyName).Id), Value(NpgsqlDbType.Integer, null)), System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public void Save(string studyName, TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var record = TrialRecord.From(trial);
        Run(connection =>
        {
            var study = StudyOf(connection, studyName);

            // One statement, so one round trip and one implicit transaction: the row, and the id counter moved past it
            // when the trial was saved under an id the study did not hand out.
            return Execute(connection, SaveSql, TrialValues(study.Id, record));
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> Load(string studyName) => Run(connection =>
    {
        var study = FindStudyRow(connection, studyName);
        return study is null ? [] : (IReadOnlyList<TuningTrial>)ReadTrials(connection, study.Value.Space, $"SELECT {TrialColumns} FROM mlnettuning_trials WHERE study_id = $1 ORDER BY trial_id", Value(study.Value.Id));
    });

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> LoadFrom(string studyName, int firstTrialId, string? exceptRunningOfWorker) => Run(connection =>
    {
        var study = StudyOf(connection, studyName);
        return ReadTrials(connection, study.Space, LoadFromSql, Value(study.Id), Value(firstTrialId), Value(NpgsqlDbType.Text, exceptRunningOfWorker));
    });

    /// <inheritdoc/>
    public (IReadOnlyList<TuningTrial> Trials, int? NextTrialId) LoadFromAndReserveId(string studyName, int firstTrialId, string? exceptRunningOfWorker, int? idBelow) => Run<(IReadOnlyList<TuningTrial>, int?)>(connection =>
    {
        var study = StudyOf(connection, studyName);

        // One round trip: the statements run in order, each seeing what was committed before it, as two calls would.
        using var batch = new NpgsqlBatch(connection);
        var read = new NpgsqlBatchCommand(LoadFromSql);
        read.Parameters.AddRange(new[] { Value(study.Id), Value(firstTrialId), Value(NpgsqlDbType.Text, exceptRunningOfWorker) });
        var reserve = new NpgsqlBatchCommand(ReserveIdSql);
        reserve.Parameters.Add(Value(study.Id));
        reserve.Parameters.Add(Value(NpgsqlDbType.Integer, idBelow));
        batch.BatchCommands.Add(read);
        batch.BatchCommands.Add(reserve);
        using var reader = batch.ExecuteReader();
        var trials = TrialRows.ReadAll(reader, study.Space);
        reader.NextResult();
        return (trials, reader.Read() ? reader.GetInt32(0) : null);
    });

    /// <inheritdoc/>
    public StoredStudy OpenStudy(string studyName, HyperparameterSpace space, OptimizationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(space);
        StudyNames.Validate(studyName);
        return Run(connection =>
        {
            Execute(
                connection,
                $"INSERT INTO mlnettuning_studies (name, direction, space_json, next_trial_id, created_at_ms) VALUES ($1, $2, $3, 0, {ServerNowMs}) ON CONFLICT (name) DO NOTHING",
                Value(studyName),
                Value(TrialRecord.DirectionName(direction)),
                Value(space.ToJsonString()));
            var stored = DescribeStudies(connection, studyName).Single();
            stored.EnsureMatches(space, direction);
            return stored;
        });
    }

    /// <inheritdoc/>
    public StoredStudy? FindStudy(string studyName)
    {
        StudyNames.Validate(studyName);
        return Run(connection => DescribeStudies(connection, studyName).SingleOrDefault());
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredStudy> ListStudies() => Run(connection => DescribeStudies(connection, null));

    /// <inheritdoc/>
    public void SetStudyAttribute(string studyName, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Run(connection => Execute(
            connection,
            "INSERT INTO mlnettuning_study_attributes (study_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
            Value(StudyOf(connection, studyName).Id),
            Value(key),
            Value(value ?? "")));
    }

    /// <inheritdoc/>
    public void Heartbeat(string studyName, string workerId, IReadOnlyCollection<int> trialIds)
    {
        ArgumentNullException.ThrowIfNull(trialIds);
        if (trialIds.Count == 0)
        {
            return;
        }

        Run(connection => Execute(
            connection,
            $"UPDATE mlnettuning_trials SET heartbeat_at_ms = {ServerNowMs} WHERE study_id = $1 AND worker_id = $2 AND state = 'running' AND trial_id = ANY($3)",
            Value(StudyOf(connection, studyName).Id),
            Value(workerId),
            Value(trialIds.ToArray())));
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> FailExpiredTrials(string studyName, TimeSpan heartbeatTimeout, string error) => Run(connection =>
    {
        var study = StudyOf(connection, studyName);
        var timeoutMs = heartbeatTimeout >= TimeSpan.FromDays(3650) ? long.MaxValue / 4 : (long)heartbeatTimeout.TotalMilliseconds;
        return ReadTrials(
            connection,
            study.Space,
            $"UPDATE mlnettuning_trials SET state = 'failed', error = $2, completed_at_ms = {ServerNowMs} WHERE study_id = $1 AND state = 'running' AND COALESCE(heartbeat_at_ms, started_at_ms) < {ServerNowMs} - $3 RETURNING {TrialColumns}",
            Value(study.Id),
            Value(error),
            Value(timeoutMs));
    });

    /// <inheritdoc/>
    public TuningTrial? FailTrialIfRunning(string studyName, int trialId, string error) => Run(connection =>
    {
        var study = StudyOf(connection, studyName);
        return ReadTrials(
            connection,
            study.Space,
            $"UPDATE mlnettuning_trials SET state = 'failed', error = $3, completed_at_ms = {ServerNowMs} WHERE study_id = $1 AND trial_id = $2 AND state = 'running' RETURNING {TrialColumns}",
            Value(study.Id),
            Value(trialId),
            Value(error)).SingleOrDefault();
    });

    /// <summary>Closes the kept and the pooled connections.</summary>
    public void Dispose()
    {
        lock (_keptGate)
        {
            _disposed = true;
            _kept?.Dispose();
            _kept = null;
        }

        _dataSource.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"postgres:{Description}";

    private T Run<T>(Func<NpgsqlConnection, T> action)
    {
        try
        {
            if (Monitor.TryEnter(_keptGate))
            {
                try
                {
                    return RunOnKept(action);
                }
                finally
                {
                    Monitor.Exit(_keptGate);
                }
            }

            // Another thread is using the kept connection (a heartbeat, another study): take a pooled one rather than wait.
            using var connection = _dataSource.OpenConnection();
            return action(connection);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new TrialStoreException($"The PostgreSQL store '{Description}' failed: {e.Message}", e);
        }
        catch (Exception e) when (TrialRecord.IsMalformedRow(e))
        {
            throw new TrialStoreException($"The PostgreSQL store '{Description}' holds a row this program cannot read ({e.Message}); was it edited by hand?", e);
        }
    }

    /// <summary>Runs on the connection this store keeps open, opening it first if needed; a connection the failure
    /// broke is dropped, so that the next call opens a new one.</summary>
    private T RunOnKept<T>(Func<NpgsqlConnection, T> action)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _kept ??= _dataSource.OpenConnection();
        try
        {
            return action(_kept);
        }
        catch
        {
            if (_kept.FullState != System.Data.ConnectionState.Open)
            {
                _kept.Dispose();
                _kept = null;
            }

            throw;
        }
    }

    private (long Id, HyperparameterSpace Space) StudyOf(NpgsqlConnection connection, string studyName) =>
        FindStudyRow(connection, studyName) ?? throw new InvalidOperationException($"Study '{studyName}' is not in the PostgreSQL store '{Description}'.");

    private (long Id, HyperparameterSpace Space)? FindStudyRow(NpgsqlConnection connection, string studyName)
    {
        lock (_gate)
        {
            if (_studies.TryGetValue(studyName, out var known))
            {
                return known;
            }
        }

        using var command = Command(connection, "SELECT study_id, space_json FROM mlnettuning_studies WHERE name = $1", Value(studyName));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var found = (reader.GetInt64(0), HyperparameterSpace.FromJson(reader.GetString(1)));
        lock (_gate)
        {
            _studies[studyName] = found;
        }

        return found;
    }

    private static List<StoredStudy> DescribeStudies(NpgsqlConnection connection, string? onlyName)
    {
        List<StudyRow> rows;
        using (var command = Command(connection, "SELECT study_id, name, direction, space_json, created_at_ms FROM mlnettuning_studies WHERE $1::text IS NULL OR name = $1 ORDER BY name", Value(NpgsqlDbType.Text, onlyName)))
        using (var reader = command.ExecuteReader())
        {
            rows = StudyRows.ReadStudies(reader);
        }

        var result = new List<StoredStudy>();
        foreach (var row in rows)
        {
            Dictionary<string, string> attributes;
            using (var command = Command(connection, "SELECT key, value FROM mlnettuning_study_attributes WHERE study_id = $1", Value(row.Id)))
            using (var reader = command.ExecuteReader())
            {
                attributes = StudyRows.ReadAttributes(reader);
            }

            Dictionary<TrialState, int> counts;
            using (var command = Command(connection, "SELECT state, count(*) FROM mlnettuning_trials WHERE study_id = $1 GROUP BY state", Value(row.Id)))
            using (var reader = command.ExecuteReader())
            {
                counts = StudyRows.ReadStateCounts(reader);
            }

            result.Add(StudyRows.ToStoredStudy(row, attributes, counts));
        }

        return result;
    }
}
