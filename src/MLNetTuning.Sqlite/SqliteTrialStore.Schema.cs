using System.Globalization;

namespace MLNetTuning.Storage;

/// <summary>The store's schema: whose file it is (checked before anything is written), and creating the tables.</summary>
public sealed partial class SqliteTrialStore
{
    /// <summary>Reads, and only reads, whether the file is this program's: its schema version, or 0 for an empty file.</summary>
    private int CheckOwnership()
    {
        var version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new TrialStoreException($"The SQLite store '{Path}' has schema version {version}, newer than this program's {SchemaVersion}; update MLNetTuning to open it.");
        }

        if (version == 0 && ForeignTables() is { Count: > 0 } foreign)
        {
            // The two reads are separate snapshots: another process (a second worker on a new file) may have created
            // the schema between them. Its commit set the version with the tables, so the version read now tells.
            version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version == 0)
            {
                throw new TrialStoreException($"The SQLite store '{Path}' is a database of another program (tables: {string.Join(", ", foreign)}); choose another file.");
            }
        }

        if (version > SchemaVersion)
        {
            throw new TrialStoreException($"The SQLite store '{Path}' has schema version {version}, newer than this program's {SchemaVersion}; update MLNetTuning to open it.");
        }

        if (version != 0 && version != SchemaVersion)
        {
            throw new TrialStoreException($"The SQLite store '{Path}' has schema version {version}, which this program does not know; choose another file.");
        }

        return version;
    }

    private List<string> ForeignTables()
    {
        var tables = new List<string>();
        using var command = Command("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private void CreateSchema()
    {
        using var transaction = _transaction = _connection.BeginTransaction(deferred: false);

        // Another process may have created the schema while this one waited for the write lock.
        var version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version == 0)
        {
            if (ForeignTables() is { Count: > 0 } foreign)
            {
                throw new TrialStoreException($"The SQLite store '{Path}' is a database of another program (tables: {string.Join(", ", foreign)}); choose another file.");
            }

            Execute("""
                CREATE TABLE studies (
                  study_id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  direction TEXT NOT NULL,
                  space_json TEXT NOT NULL,
                  next_trial_id INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL);
                CREATE TABLE study_attributes (
                  study_id INTEGER NOT NULL REFERENCES studies (study_id),
                  key TEXT NOT NULL,
                  value TEXT NOT NULL,
                  PRIMARY KEY (study_id, key)) WITHOUT ROWID;
                CREATE TABLE trials (
                  study_id INTEGER NOT NULL REFERENCES studies (study_id),
                  trial_id INTEGER NOT NULL,
                  state TEXT NOT NULL,
                  parameters_json TEXT NOT NULL,
                  budget REAL,
                  parent_trial_id INTEGER,
                  value REAL,
                  loss REAL,
                  intermediate_json TEXT NOT NULL,
                  attributes_json TEXT NOT NULL,
                  error TEXT,
                  worker_id TEXT,
                  started_at_ms INTEGER NOT NULL,
                  completed_at_ms INTEGER,
                  heartbeat_at_ms INTEGER,
                  PRIMARY KEY (study_id, trial_id)) WITHOUT ROWID;
                CREATE INDEX trials_running ON trials (study_id, heartbeat_at_ms) WHERE state = 'running';
                """);
            Execute($"PRAGMA user_version = {SchemaVersion}");
        }

        transaction.Commit();
        _transaction = null;
    }
}
