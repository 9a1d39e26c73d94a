using System.Globalization;
using Microsoft.Data.Sqlite;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// Keeps studies in one SQLite file: the embedded default. WAL mode and a busy timeout make it safe for several
/// processes on one machine (not over a network file system: use PostgreSQL to share a study between machines).
/// Every trial is written when it starts, on each report and when it ends; a process killed at any point
/// loses at most the result of the trials it was running.
/// </summary>
/// <remarks>The schema is versioned (<c>PRAGMA user_version</c>); a file of a newer schema is refused rather than damaged.
/// Writes use <c>synchronous=NORMAL</c>: durable when a process dies, not when the machine loses power mid-write.</remarks>
public sealed partial class SqliteTrialStore : ITrialStore, IDisposable
{
    /// <summary>The schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    private const string TrialColumns = TrialRows.Columns;

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, (long Id, HyperparameterSpace Space)> _studies = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;
    private bool _hasSchema;

    /// <summary>Opens (or creates) the store in <paramref name="path"/>; its folder is created when missing.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long to wait for another process's write; default 30 s.</param>
    /// <exception cref="TrialStoreException">The file is not a SQLite database of this program, is corrupt, or has a newer schema.
    /// A refused file is left byte-identical: it is inspected before anything is written.</exception>
    public SqliteTrialStore(string path, TimeSpan? busyTimeout = null)
        : this(path, busyTimeout, readOnly: false)
    {
    }

    private readonly bool _removeCompanionsOnClose;

    private SqliteTrialStore(string path, TimeSpan? busyTimeout, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        IsReadOnly = readOnly;
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!readOnly && !string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        if (readOnly && !File.Exists(Path))
        {
            throw new TrialStoreException($"The SQLite store '{Path}' does not exist.");
        }

        // Reading a WAL file creates its -wal and -shm companions; a reader that found none removes them again.
        _removeCompanionsOnClose = readOnly && !File.Exists(Path + "-wal") && !File.Exists(Path + "-shm");

        var timeout = (int)Math.Ceiling((busyTimeout ?? TimeSpan.FromSeconds(30)).TotalSeconds);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeout,
        }.ToString());
        try
        {
            _connection.Open();
            Execute($"PRAGMA busy_timeout = {timeout * 1000}");

            // Whose file it is comes first: switching to WAL rewrites the header, which another program's file must never see.
            var version = CheckOwnership();
            _hasSchema = version == SchemaVersion;
            if (readOnly)
            {
                return;
            }

            var mode = Scalar("PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new TrialStoreException($"The SQLite store '{Path}' cannot use WAL mode (it reports '{mode}'); is it on a network file system?");
            }

            Execute("PRAGMA synchronous = NORMAL");
            Execute("PRAGMA cache_size = -16384");
            Execute("PRAGMA foreign_keys = ON");
            if (version < SchemaVersion)
            {
                CreateSchema();
                _hasSchema = true;
            }
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new TrialStoreException($"The SQLite store '{Path}' cannot be opened: {Describe(e)} Move the file away or choose another store.", e);
        }
        catch (TrialStoreException)
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>True when opened by <see cref="OpenReadOnly"/>: every write fails with a <see cref="TrialStoreException"/>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Opens an existing store only to read it (listing studies and trials): nothing in the file changes,
    /// and a file the process may not write (a read-only file or folder) can be read.</summary>
    /// <param name="path">The database file.</param>
    /// <exception cref="TrialStoreException">The file does not exist, is not a SQLite database of this program, is corrupt, or has a newer schema.</exception>
    public static SqliteTrialStore OpenReadOnly(string path) => new(path, null, readOnly: true);

    /// <inheritdoc/>
    public int NextTrialId(string studyName) => Locked(() =>
    {
        var study = StudyOf(studyName);
        return Convert.ToInt32(Scalar("UPDATE studies SET next_trial_id = next_trial_id + 1 WHERE study_id = $s RETURNING next_trial_id - 1", ("$s", study.Id)), CultureInfo.InvariantCulture);
    });

    /// <inheritdoc/>
    public void Save(string studyName, TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var record = TrialRecord.From(trial);
        Locked(() =>
        {
            var study = StudyOf(studyName);
            using var transaction = _transaction = _connection.BeginTransaction();
            Execute(
                $"""
                INSERT INTO trials (study_id, {TrialColumns})
                VALUES ($s, $id, $state, $p, $budget, $parent, $value, $loss, $inter, $attr, $error, $worker, $started, $completed, $now)
                ON CONFLICT (study_id, trial_id) DO UPDATE SET
                  state = excluded.state, parameters_json = excluded.parameters_json, budget = excluded.budget,
                  parent_trial_id = excluded.parent_trial_id, value = excluded.value, loss = excluded.loss,
                  intermediate_json = excluded.intermediate_json, attributes_json = excluded.attributes_json,
                  error = excluded.error, worker_id = excluded.worker_id, started_at_ms = excluded.started_at_ms,
                  completed_at_ms = excluded.completed_at_ms, heartbeat_at_ms = excluded.heartbeat_at_ms
                """,
                ("$s", study.Id),
                ("$id", record.TrialId),
                ("$state", record.State),
                ("$p", record.ParametersJson),
                ("$budget", record.Budget),
                ("$parent", record.ParentTrialId),
                ("$value", record.Value),
                ("$loss", record.Loss),
                ("$inter", record.IntermediateJson),
                ("$attr", record.AttributesJson),
                ("$error", record.Error),
                ("$worker", record.WorkerId),
                ("$started", record.StartedAtMs),
                ("$completed", record.CompletedAtMs),
                ("$now", NowMs()));
            Execute("UPDATE studies SET next_trial_id = $next WHERE study_id = $s AND next_trial_id < $next", ("$s", study.Id), ("$next", record.TrialId + 1));
            transaction.Commit();
            _transaction = null;
            return 0;
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> Load(string studyName) => Locked(() =>
    {
        var study = FindStudyRow(studyName);
        return study is null ? [] : ReadTrials(study.Value.Space, $"SELECT {TrialColumns} FROM trials WHERE study_id = $s ORDER BY trial_id", ("$s", study.Value.Id));
    });

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> LoadFrom(string studyName, int firstTrialId, string? exceptRunningOfWorker) => Locked(() =>
    {
        var study = StudyOf(studyName);
        return ReadTrials(
            study.Space,
            $"SELECT {TrialColumns} FROM trials WHERE study_id = $s AND trial_id >= $first AND NOT (state = 'running' AND worker_id IS $w) ORDER BY trial_id",
            ("$s", study.Id),
            ("$first", firstTrialId),
            ("$w", exceptRunningOfWorker));
    });

    /// <inheritdoc/>
    public StoredStudy OpenStudy(string studyName, HyperparameterSpace space, OptimizationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(space);
        StudyNames.Validate(studyName);
        return Locked(() =>
        {
            Execute(
                "INSERT INTO studies (name, direction, space_json, next_trial_id, created_at_ms) VALUES ($n, $d, $space, 0, $now) ON CONFLICT (name) DO NOTHING",
                ("$n", studyName),
                ("$d", TrialRecord.DirectionName(direction)),
                ("$space", space.ToJsonString()),
                ("$now", NowMs()));
            var stored = DescribeStudies(studyName).Single();
            stored.EnsureMatches(space, direction);
            return stored;
        });
    }

    /// <inheritdoc/>
    public StoredStudy? FindStudy(string studyName)
    {
        StudyNames.Validate(studyName);
        return Locked(() => DescribeStudies(studyName).SingleOrDefault());
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredStudy> ListStudies() => Locked(() => DescribeStudies(null));

    /// <inheritdoc/>
    public void SetStudyAttribute(string studyName, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Locked(() => Execute(
            "INSERT INTO study_attributes (study_id, key, value) VALUES ($s, $k, $v) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
            ("$s", StudyOf(studyName).Id),
            ("$k", key),
            ("$v", value ?? "")));
    }

    /// <inheritdoc/>
    public void Heartbeat(string studyName, string workerId, IReadOnlyCollection<int> trialIds)
    {
        ArgumentNullException.ThrowIfNull(trialIds);
        if (trialIds.Count == 0)
        {
            return;
        }

        Locked(() =>
        {
            var ids = trialIds.ToList();
            var parameters = new List<(string, object?)> { ("$s", StudyOf(studyName).Id), ("$w", workerId), ("$now", NowMs()) };
            parameters.AddRange(ids.Select((id, i) => ($"$t{i}", (object?)id)));
            var list = string.Join(", ", ids.Select((_, i) => $"$t{i}"));
            return Execute($"UPDATE trials SET heartbeat_at_ms = $now WHERE study_id = $s AND worker_id = $w AND state = 'running' AND trial_id IN ({list})", [.. parameters]);
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> FailExpiredTrials(string studyName, TimeSpan heartbeatTimeout, string error) => Locked(() =>
    {
        var study = StudyOf(studyName);
        var cutoff = heartbeatTimeout >= TimeSpan.FromDays(3650) ? long.MinValue : NowMs() - (long)heartbeatTimeout.TotalMilliseconds;
        return ReadTrials(
            study.Space,
            $"UPDATE trials SET state = 'failed', error = $e, completed_at_ms = $now WHERE study_id = $s AND state = 'running' AND COALESCE(heartbeat_at_ms, started_at_ms) < $cutoff RETURNING {TrialColumns}",
            ("$s", study.Id),
            ("$e", error),
            ("$now", NowMs()),
            ("$cutoff", cutoff));
    });

    /// <inheritdoc/>
    public TuningTrial? FailTrialIfRunning(string studyName, int trialId, string error) => Locked(() =>
    {
        var study = StudyOf(studyName);
        return ReadTrials(
            study.Space,
            $"UPDATE trials SET state = 'failed', error = $e, completed_at_ms = $now WHERE study_id = $s AND trial_id = $t AND state = 'running' RETURNING {TrialColumns}",
            ("$s", study.Id),
            ("$t", trialId),
            ("$e", error),
            ("$now", NowMs())).SingleOrDefault();
    });

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
            RemoveCompanionsIfUnused();
        }
    }

    /// <summary>After a read-only open of a store no writer held: the empty -wal and the -shm it made are removed,
    /// so that listing a store leaves its folder as it was. A -wal holding data belongs to a writer and stays.</summary>
    private void RemoveCompanionsIfUnused()
    {
        var wal = new FileInfo(Path + "-wal");
        if (!_removeCompanionsOnClose || (wal.Exists && wal.Length > 0))
        {
            return;
        }

        try
        {
            wal.Delete();
            File.Delete(Path + "-shm");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process opened the store meanwhile; its files are its own.
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"sqlite:{Path}";

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "the file is not a SQLite database (SQLITE_NOTADB).",
        11 => "the database file is corrupt (SQLITE_CORRUPT).",
        5 or 6 => $"the database is locked by another process and stayed locked past the busy timeout ({e.Message}).",
        14 => "the file cannot be opened (SQLITE_CANTOPEN): check the folder exists and is writable.",
        _ => e.Message.TrimEnd('.') + ".",
    };

    private T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            try
            {
                return action();
            }
            catch (SqliteException e)
            {
                throw new TrialStoreException($"The SQLite store '{Path}' failed: {Describe(e)}", e);
            }
            catch (Exception e) when (TrialRecord.IsMalformedRow(e))
            {
                throw new TrialStoreException($"The SQLite store '{Path}' holds a row this program cannot read ({e.Message}); was it edited by hand? Restore the file from a copy or start a new study.", e);
            }
            finally
            {
                // A transaction that threw is rolled back by its disposal.
                _transaction = null;
            }
        }
    }

    private List<TuningTrial> ReadTrials(HyperparameterSpace space, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        return TrialRows.ReadAll(reader, space);
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar();
    }
}
