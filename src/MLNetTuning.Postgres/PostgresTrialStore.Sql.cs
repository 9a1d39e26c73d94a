using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using Npgsql;
using NpgsqlTypes;

namespace MLNetTuning.Storage;

// Statements, positional parameters and the reading of trial rows.
public sealed partial class PostgresTrialStore
{
    private static List<TuningTrial> ReadTrials(NpgsqlConnection connection, HyperparameterSpace space, string sql, params NpgsqlParameter[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        return TrialRows.ReadAll(reader, space);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>The study id, then a trial row's values in <see cref="TrialColumns"/> order up to the completion time.</summary>
    private static NpgsqlParameter[] TrialValues(long studyId, TrialRecord record) =>
    [
        Value(studyId),
        Value(record.TrialId),
        Value(record.State),
        Value(record.ParametersJson),
        Value(NpgsqlDbType.Double, record.Budget),
        Value(NpgsqlDbType.Integer, record.ParentTrialId),
        Value(NpgsqlDbType.Double, record.Value),
        Value(NpgsqlDbType.Double, record.Loss),
        Value(record.IntermediateJson),
        Value(record.AttributesJson),
        Value(NpgsqlDbType.Text, record.Error),
        Value(NpgsqlDbType.Text, record.WorkerId),
        Value(record.StartedAtMs),
        Value(NpgsqlDbType.Bigint, record.CompletedAtMs),
    ];

    /// <summary>A positional parameter ($1, $2, ...) typed by its value. Positional parameters spare Npgsql rewriting
    /// named ones in the SQL text on every execution.</summary>
    private static NpgsqlParameter Value(object value) => new() { Value = value };

    /// <summary>A positional parameter of a fixed type, null or not, so that its prepared statement is reused.</summary>
    private static NpgsqlParameter Value(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };

    /// <summary>Whether the connection string sets Npgsql's automatic preparation itself (then the store leaves it as set).</summary>
    private static bool NamesAutoPrepare(string connectionString)
    {
        var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>();
        return keys.Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase));
    }

    private static int Execute(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }
}
