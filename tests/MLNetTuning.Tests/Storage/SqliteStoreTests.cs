using Microsoft.Data.Sqlite;
using MLNetTuning.Storage;
using static MLNetTuning.Tests.Storage.StoreTestKit;

namespace MLNetTuning.Tests.Storage;

public class SqliteStoreTests
{
    [Test]
    public void A_corrupt_file_gives_a_clear_error_naming_it()
    {
        var path = Path.Combine(TempFolder(), "corrupt.db");
        File.WriteAllBytes(path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 % 251)).ToArray());

        var error = Assert.Throws<TrialStoreException>(() => new SqliteTrialStore(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("not a SQLite database"));
    }

    [Test]
    public void Another_programs_database_is_refused_untouched()
    {
        var path = Path.Combine(TempFolder(), "other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (id INTEGER)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<TrialStoreException>(() => new SqliteTrialStore(path));

        Assert.That(error!.Message, Does.Contain("another program").And.Contain("customers"));
    }

    [Test]
    public void The_file_is_in_wal_mode_with_a_versioned_schema()
    {
        var path = Path.Combine(TempFolder(), "wal.db");
        using (var store = new SqliteTrialStore(path))
        {
            Open(store).Optimize(c => Objective(c.Parameters), new MLNetTuning.Studies.StudyLimits { MaxTrials = 2 });
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("wal"));
        command.CommandText = "PRAGMA user_version";
        Assert.That(command.ExecuteScalar(), Is.EqualTo((long)SqliteTrialStore.SchemaVersion));
    }
}
