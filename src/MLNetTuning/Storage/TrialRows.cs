using System.Data;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// Reads stored trial rows back into trials, for the database stores (SQLite, PostgreSQL): one reader, so that the
/// column order a store selects and the order it is read in cannot drift apart between stores.
/// </summary>
internal static class TrialRows
{
    /// <summary>The columns of a trial row, in the order <see cref="Read(IDataRecord)"/> reads them; a store selects exactly these.</summary>
    public const string Columns = "trial_id, state, parameters_json, budget, parent_trial_id, value, loss, intermediate_json, attributes_json, error, worker_id, started_at_ms, completed_at_ms, heartbeat_at_ms";

    /// <summary>The flat record of the current row, whose columns are <see cref="Columns"/>.</summary>
    public static TrialRecord Read(IDataRecord row) => new()
    {
        TrialId = row.GetInt32(0),
        State = row.GetString(1),
        ParametersJson = row.GetString(2),
        Budget = row.IsDBNull(3) ? null : row.GetDouble(3),
        ParentTrialId = row.IsDBNull(4) ? null : row.GetInt32(4),
        Value = row.IsDBNull(5) ? null : row.GetDouble(5),
        Loss = row.IsDBNull(6) ? null : row.GetDouble(6),
        IntermediateJson = row.GetString(7),
        AttributesJson = row.GetString(8),
        Error = row.IsDBNull(9) ? null : row.GetString(9),
        WorkerId = row.IsDBNull(10) ? null : row.GetString(10),
        StartedAtMs = row.GetInt64(11),
        CompletedAtMs = row.IsDBNull(12) ? null : row.GetInt64(12),
        HeartbeatAtMs = row.IsDBNull(13) ? null : row.GetInt64(13),
    };

    /// <summary>Reads the rest of the reader's current result set as trials of <paramref name="space"/>.</summary>
    /// <exception cref="FormatException">A stored value does not fit the space or a column is malformed (see <see cref="TrialRecord.IsMalformedRow"/>).</exception>
    public static List<TuningTrial> ReadAll(IDataReader reader, HyperparameterSpace space)
    {
        var trials = new List<TuningTrial>();
        while (reader.Read())
        {
            trials.Add(Read(reader).ToTrial(space));
        }

        return trials;
    }
}
