using MLNetTuning.Storage;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// Where studies are kept, from <c>--storage</c>: a SQLite file (<c>PATH</c> or <c>sqlite:PATH</c>), or PostgreSQL
/// (<c>postgres</c> with the connection string from <c>--connection</c> or MLNETTUNING_POSTGRES, or
/// <c>postgres:CONNECTION-STRING</c>). Opened stores are described without passwords.
/// </summary>
internal static class StoreLocation
{
    public static ITrialStore Open(string? storage, string? connection, string defaultSqlitePath)
    {
        storage = string.IsNullOrWhiteSpace(storage) ? null : storage.Trim();
        try
        {
            if (storage is null && !string.IsNullOrWhiteSpace(connection))
            {
                return new PostgresTrialStore(connection);
            }

            if (storage is null)
            {
                return new SqliteTrialStore(defaultSqlitePath);
            }

            if (storage.Equals("postgres", StringComparison.OrdinalIgnoreCase) || storage.Equals("postgresql", StringComparison.OrdinalIgnoreCase))
            {
                return new PostgresTrialStore(connection);
            }

            foreach (var prefix in new[] { "postgres:", "postgresql:" })
            {
                if (storage.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return new PostgresTrialStore(storage[prefix.Length..]);
                }
            }

            var path = storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? storage["sqlite:".Length..] : storage;
            if (Directory.Exists(path))
            {
                throw new CliException($"--storage '{path}' is a folder; give a file such as '{Path.Combine(path, "studies.db")}'.");
            }

            return new SqliteTrialStore(path);
        }
        catch (TrialStoreException e)
        {
            throw new CliException(e.Message, ExitCodes.StoreError);
        }
        catch (ArgumentException e)
        {
            throw new CliException(PostgresConnectionStrings.Scrub(e.Message, connection), ExitCodes.BadInput);
        }
    }

    /// <summary>How the store is shown: never with a password.</summary>
    public static string Describe(ITrialStore store) => store switch
    {
        SqliteTrialStore sqlite => $"sqlite:{sqlite.Path}",
        PostgresTrialStore postgres => $"postgres:{postgres.Description}",
        _ => store.GetType().Name,
    };
}
