using Npgsql;

namespace MLNetTuning.Storage;

// The schema: created in one transaction on first use, and its version checked so that a store written by a newer program is refused.
public sealed partial class PostgresTrialStore
{
    private void EnsureSchema()
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        // Workers starting together must not race to create the tables.
        Execute(connection, "SELECT pg_advisory_xact_lock(7429301)");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS mlnettuning_schema (version integer NOT NULL);
            CREATE TABLE IF NOT EXISTS mlnettuning_studies (
              study_id bigserial PRIMARY KEY,
              name text NOT NULL UNIQUE,
              direction text NOT NULL,
              space_json text NOT NULL,
              next_trial_id integer NOT NULL,
              created_at_ms bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS mlnettuning_study_attributes (
              study_id bigint NOT NULL REFERENCES mlnettuning_studies (study_id),
              key text NOT NULL,
              value text NOT NULL,
              PRIMARY KEY (study_id, key));
            CREATE TABLE IF NOT EXISTS mlnettuning_trials (
              study_id bigint NOT NULL REFERENCES mlnettuning_studies (study_id),
              trial_id integer NOT NULL,
              state text NOT NULL,
              parameters_json text NOT NULL,
              budget double precision,
              parent_trial_id integer,
              value double precision,
              loss double precision,
              intermediate_json text NOT NULL,
              attributes_json text NOT NULL,
              error text,
              worker_id text,
              started_at_ms bigint NOT NULL,
              completed_at_ms bigint,
              heartbeat_at_ms bigint,
              PRIMARY KEY (study_id, trial_id));
            CREATE INDEX IF NOT EXISTS mlnettuning_trials_running ON mlnettuning_trials (study_id, heartbeat_at_ms) WHERE state = 'running';
            """);
        var version = Scalar(connection, "SELECT max(version) FROM mlnettuning_schema");
        if (version is DBNull or null)
        {
            Execute(connection, "INSERT INTO mlnettuning_schema (version) VALUES ($1)", Value(SchemaVersion));
        }
        else if (Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture) > SchemaVersion)
        {
            throw new TrialStoreException($"The PostgreSQL store '{Description}' has schema version {version}, newer than this program's {SchemaVersion}; update MLNetTuning to use it.");
        }

        transaction.Commit();
    }
}
