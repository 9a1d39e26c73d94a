using MLNetTuning.Storage;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// Where studies are kept, from <c>--storage</c>: a SQLite file (<c>PATH</c> or <c>sqlite:PATH</c>), or PostgreSQL
/// (<c>postgres</c> with the connection string from <c>--connection</c> or MLNETTUNING_POSTGRES, or
/// <c>postgres:CONNECTION-STRING</c>). Opened stores are described without passwords.
/// </summary>
internal static class StoreLocation
{
    /// <param name="storage">The --storage value.</param>
    /// <param name="connection">The --connection value.</param>
    /// <param name="defaultSqlitePath">The SQLite file used when neither is given.</param>
    /// <param name="mustExist">For commands that only read or join: a SQLite file that does not exist is an error, not a new store.</param>
    /// <param name="readOnly">For commands that only read: a SQLite file is opened read-only (it must exist) and left unchanged.</param>
    /// <param name="option">The option that named the store, for messages.</param>
    public static ITrialStore Open(string? storage, string? connection, string defaultSqlitePath, bool mustExist = false, bool readOnly = false, string option = "--storage")
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
                return OpenSqlite(defaultSqlitePath, mustExist || readOnly, readOnly, option);
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
                throw new CliException($"{option} '{path}' is a folder; give a file such as '{Path.Combine(path, "studies.db")}'.");
            }

            return OpenSqlite(path, mustExist || readOnly, readOnly, option);
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

    private static SqliteTrialStore OpenSqlite(string path, bool mustExist, bool readOnly, string option) =>
        mustExist && !File.Exists(path)
            ? throw new CliException($"No store at '{Path.GetFullPath(path)}': the SQLite file does not exist. Give {option} the file 'tune' wrote (default <output>/studies.db).")
            : readOnly ? SqliteTrialStore.OpenReadOnly(path) : new SqliteTrialStore(path);

    /// <summary>How the store is shown: never with a password.</summary>
    public static string Describe(ITrialStore store) => store switch
    {
        SqliteTrialStore sqlite => $"sqlite:{sqlite.Path}",
        PostgresTrialStore postgres => $"postgres:{postgres.Description}",
        _ => store.GetType().Name,
    };
}
