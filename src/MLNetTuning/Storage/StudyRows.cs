using System.Data;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// Reads the rows that describe a study (its own row, its attributes, its trial counts by state) for the database
/// stores (SQLite, PostgreSQL). Each store runs its own statements; the readers are read one at a time, as a
/// PostgreSQL connection allows only one open reader.
/// </summary>
internal static class StudyRows
{
    /// <summary>Reads rows of (study id, name, direction, space JSON, creation time in Unix milliseconds), in that column order.</summary>
    public static List<StudyRow> ReadStudies(IDataReader reader)
    {
        var rows = new List<StudyRow>();
        while (reader.Read())
        {
            rows.Add(new StudyRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
        }

        return rows;
    }

    /// <summary>Reads rows of (key, value) into a study's attributes.</summary>
    public static Dictionary<string, string> ReadAttributes(IDataReader reader)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            attributes[reader.GetString(0)] = reader.GetString(1);
        }

        return attributes;
    }

    /// <summary>Reads rows of (stored state name, trial count) into a study's trial counts.</summary>
    /// <exception cref="FormatException">A state name is not a state.</exception>
    public static Dictionary<TrialState, int> ReadStateCounts(IDataReader reader)
    {
        var counts = new Dictionary<TrialState, int>();
        while (reader.Read())
        {
            // COUNT is a 64-bit integer in both databases; a study holds far fewer trials than int can count.
            counts[TrialRecord.ParseState(reader.GetString(0))] = checked((int)reader.GetInt64(1));
        }

        return counts;
    }

    /// <summary>The study a row describes, with its attributes and trial counts.</summary>
    /// <exception cref="FormatException">The stored direction is not a direction.</exception>
    public static StoredStudy ToStoredStudy(StudyRow row, Dictionary<string, string> attributes, Dictionary<TrialState, int> counts) =>
        new(row.Name, row.SpaceJson, TrialRecord.ParseDirection(row.Direction), DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtMs), attributes, counts);
}

/// <summary>A study's own stored row.</summary>
/// <param name="Id">The store's id of the study, which its trial and attribute rows refer to.</param>
/// <param name="Name">The study's name.</param>
/// <param name="Direction">The stored direction name.</param>
/// <param name="SpaceJson">The search space as JSON.</param>
/// <param name="CreatedAtMs">Creation time, Unix milliseconds.</param>
internal readonly record struct StudyRow(long Id, string Name, string Direction, string SpaceJson, long CreatedAtMs);
