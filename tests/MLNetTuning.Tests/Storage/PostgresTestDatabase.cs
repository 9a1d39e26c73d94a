namespace MLNetTuning.Tests.Storage;

/// <summary>The PostgreSQL test database, from the MLNETTUNING_POSTGRES environment variable (see .ci/postgres.sh).</summary>
internal static class PostgresTestDatabase
{
    public const string Variable = "MLNETTUNING_POSTGRES";

    public const string IgnoreMessage = "PostgreSQL tests need a database: set MLNETTUNING_POSTGRES to a connection string (`eval \"$(.ci/postgres.sh start)\"` starts a throwaway one).";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;
}
