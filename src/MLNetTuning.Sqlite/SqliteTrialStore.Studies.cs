using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>Study rows: lookup and description, and housekeeping (delete, rename, and import a whole study in one transaction).</summary>
public sealed partial class SqliteTrialStore
{
    /// <inheritdoc/>
    public bool DeleteStudy(string studyName)
    {
        StudyNames.Validate(studyName);
        return Locked(() =>
        {
            var study = FindStudyRow(studyName);
            if (study is null)
            {
                return false;
            }

            using var transaction = _transaction = _connection.BeginTransaction();
            Execute("DELETE FROM trials WHERE study_id = $s", ("$s", study.Value.Id));
            Execute("DELETE FROM study_attributes WHERE study_id = $s", ("$s", study.Value.Id));
            Execute("DELETE FROM studies WHERE study_id = $s", ("$s", study.Value.Id));
            transaction.Commit();
            _studies.Remove(studyName);
            return true;
        });
    }

    /// <inheritdoc/>
    public void RenameStudy(string studyName, string newName)
    {
        StudyNames.Validate(studyName);
        StudyNames.Validate(newName);
        Locked(() =>
        {
            var study = StudyOf(studyName);
            using var transaction = _transaction = _connection.BeginTransaction(deferred: false);
            if (Scalar("SELECT 1 FROM studies WHERE name = $n", ("$n", newName)) is not null)
            {
                throw new InvalidOperationException($"The SQLite store '{Path}' already has a study '{newName}'.");
            }

            Execute("UPDATE studies SET name = $n WHERE study_id = $s", ("$n", newName), ("$s", study.Id));
            transaction.Commit();
            _studies.Remove(studyName);
            return 0;
        });
    }

    /// <inheritdoc/>
    public void ImportStudy(StoredStudy study, IReadOnlyList<TuningTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        StudyNames.Validate(study.Name);
        var records = trials.Select(TrialRecord.From).ToList();
        Locked(() =>
        {
            using var transaction = _transaction = _connection.BeginTransaction(deferred: false);
            if (Scalar("SELECT 1 FROM studies WHERE name = $n", ("$n", study.Name)) is not null)
            {
                throw new InvalidOperationException($"The SQLite store '{Path}' already has a study '{study.Name}'.");
            }

            var id = Convert.ToInt64(Scalar(
                "INSERT INTO studies (name, direction, space_json, next_trial_id, created_at_ms) VALUES ($n, $d, $space, $next, $created) RETURNING study_id",
                ("$n", study.Name),
                ("$d", TrialRecord.DirectionName(study.Direction)),
                ("$space", study.SpaceJson),
                ("$next", records.Count == 0 ? 0 : records.Max(r => r.TrialId) + 1),
                ("$created", study.CreatedAt.ToUnixTimeMilliseconds())), CultureInfo.InvariantCulture);
            foreach (var (key, value) in study.Attributes)
            {
                Execute("INSERT INTO study_attributes (study_id, key, value) VALUES ($s, $k, $v)", ("$s", id), ("$k", key), ("$v", value));
            }

            foreach (var r in records)
            {
                Execute(
                    $"INSERT INTO trials (study_id, {TrialColumns}) VALUES ($s, $id, $state, $p, $budget, $parent, $value, $loss, $inter, $attr, $error, $worker, $started, $completed, $heartbeat)",
                    ("$s", id),
                    ("$id", r.TrialId),
                    ("$state", r.State),
                    ("$p", r.ParametersJson),
                    ("$budget", r.Budget),
                    ("$parent", r.ParentTrialId),
                    ("$value", r.Value),
                    ("$loss", r.Loss),
                    ("$inter", r.IntermediateJson),
                    ("$attr", r.AttributesJson),
                    ("$error", r.Error),
                    ("$worker", r.WorkerId),
                    ("$started", r.StartedAtMs),
                    ("$completed", r.CompletedAtMs),
                    ("$heartbeat", r.HeartbeatAtMs));
            }

            transaction.Commit();
            return 0;
        });
    }

    private (long Id, HyperparameterSpace Space) StudyOf(string studyName) =>
        FindStudyRow(studyName) ?? throw new InvalidOperationException($"Study '{studyName}' is not in the SQLite store '{Path}'. Studies: {string.Join(", ", DescribeStudies(null).Select(s => s.Name).DefaultIfEmpty("(none)"))}.");

    private (long Id, HyperparameterSpace Space)? FindStudyRow(string studyName)
    {
        if (_studies.TryGetValue(studyName, out var known))
        {
            return known;
        }

        if (!_hasSchema)
        {
            return null;
        }

        using var command = Command("SELECT study_id, space_json FROM studies WHERE name = $n", ("$n", studyName));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return _studies[studyName] = (reader.GetInt64(0), HyperparameterSpace.FromJson(reader.GetString(1)));
    }

    private List<StoredStudy> DescribeStudies(string? onlyName)
    {
        if (!_hasSchema)
        {
            // An empty file opened read-only: no tables yet, so no studies.
            return [];
        }

        List<StudyRow> rows;
        using (var command = Command("SELECT study_id, name, direction, space_json, created_at_ms FROM studies WHERE $n IS NULL OR name = $n ORDER BY name", ("$n", onlyName)))
        using (var reader = command.ExecuteReader())
        {
            rows = StudyRows.ReadStudies(reader);
        }

        var result = new List<StoredStudy>();
        foreach (var row in rows)
        {
            Dictionary<string, string> attributes;
            using (var command = Command("SELECT key, value FROM study_attributes WHERE study_id = $s", ("$s", row.Id)))
            using (var reader = command.ExecuteReader())
            {
                attributes = StudyRows.ReadAttributes(reader);
            }

            Dictionary<TrialState, int> counts;
            using (var command = Command("SELECT state, COUNT(*) FROM trials WHERE study_id = $s GROUP BY state", ("$s", row.Id)))
            using (var reader = command.ExecuteReader())
            {
                counts = StudyRows.ReadStateCounts(reader);
            }

            result.Add(StudyRows.ToStoredStudy(row, attributes, counts));
        }

        return result;
    }
}
