using MLNetTuning.Studies;
using NpgsqlTypes;

namespace MLNetTuning.Storage;

/// <summary>Study housekeeping: delete, rename, and import a whole study in one transaction.</summary>
public sealed partial class PostgresTrialStore
{
    /// <inheritdoc/>
    public bool DeleteStudy(string studyName)
    {
        StudyNames.Validate(studyName);
        var deleted = Run(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var id = Scalar(connection, "SELECT study_id FROM mlnettuning_studies WHERE name = $1 FOR UPDATE", Value(studyName));
            if (id is null or DBNull)
            {
                return false;
            }

            Execute(connection, "DELETE FROM mlnettuning_trials WHERE study_id = $1", Value(id));
            Execute(connection, "DELETE FROM mlnettuning_study_attributes WHERE study_id = $1", Value(id));
            Execute(connection, "DELETE FROM mlnettuning_studies WHERE study_id = $1", Value(id));
            transaction.Commit();
            return true;
        });
        Forget(studyName);
        return deleted;
    }

    /// <inheritdoc/>
    public void RenameStudy(string studyName, string newName)
    {
        StudyNames.Validate(studyName);
        StudyNames.Validate(newName);
        Run(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var id = Scalar(connection, "SELECT study_id FROM mlnettuning_studies WHERE name = $1 FOR UPDATE", Value(studyName));
            if (id is null or DBNull)
            {
                throw new InvalidOperationException($"Study '{studyName}' is not in the PostgreSQL store '{Description}'.");
            }

            // The unique name is the arbiter when two renames race: the loser's update fails and rolls back.
            if (Scalar(connection, "SELECT 1 FROM mlnettuning_studies WHERE name = $1", Value(newName)) is not (null or DBNull))
            {
                throw new InvalidOperationException($"The PostgreSQL store '{Description}' already has a study '{newName}'.");
            }

            Execute(connection, "UPDATE mlnettuning_studies SET name = $1 WHERE study_id = $2", Value(newName), Value(id));
            transaction.Commit();
            return 0;
        });
        Forget(studyName);
    }

    /// <inheritdoc/>
    public void ImportStudy(StoredStudy study, IReadOnlyList<TuningTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        StudyNames.Validate(study.Name);
        var records = trials.Select(TrialRecord.From).ToList();
        Run(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var id = Scalar(
                connection,
                "INSERT INTO mlnettuning_studies (name, direction, space_json, next_trial_id, created_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING study_id",
                Value(study.Name),
                Value(TrialRecord.DirectionName(study.Direction)),
                Value(study.SpaceJson),
                Value(records.Count == 0 ? 0 : records.Max(r => r.TrialId) + 1),
                Value(study.CreatedAt.ToUnixTimeMilliseconds()));
            if (id is null or DBNull)
            {
                throw new InvalidOperationException($"The PostgreSQL store '{Description}' already has a study '{study.Name}'.");
            }

            foreach (var (key, value) in study.Attributes)
            {
                Execute(connection, "INSERT INTO mlnettuning_study_attributes (study_id, key, value) VALUES ($1, $2, $3)", Value(id), Value(key), Value(value));
            }

            foreach (var r in records)
            {
                Execute(
                    connection,
                    $"INSERT INTO mlnettuning_trials (study_id, {TrialColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    [.. TrialValues(Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture), r), Value(NpgsqlDbType.Bigint, r.HeartbeatAtMs)]);
            }

            transaction.Commit();
            return 0;
        });
    }

    private void Forget(string studyName)
    {
        lock (_gate)
        {
            _studies.Remove(studyName);
        }
    }
}
