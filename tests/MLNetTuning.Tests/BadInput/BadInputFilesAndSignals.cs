using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Cli;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.BadInput;

/// <summary>
/// Bad files, stores and connection strings through the mlnet-tune process (issue 17, items 6, 7, 8, 12): each case
/// asserts the exit code, the message, and that nothing stored changed (files byte-identical, no store created).
/// </summary>
[NonParallelizable]
public class BadInputFilesAndSignals : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string Output => Path.Combine(Folder, "out");

    private string DefaultStore => Path.Combine(Output, "studies.db");

    private string[] Tune(params string[] more) =>
        ["tune", "--data", RepositoryFiles.Loans, "--label", "approved", "--task", "binary", "--trainers", "LbfgsLogisticRegression", "--output", Output, .. more];

    [TestCase("--time", "1e300", "--time must be at most")]
    [TestCase("--time", "Infinity", "--time must be at most")]
    [TestCase("--heartbeat-timeout", "1e300", "--heartbeat-timeout must be at most")]
    [TestCase("--time", "NaN", "--time must be a positive number")]
    public void A_time_option_out_of_range_exits_2_with_a_message_and_creates_nothing(string option, string value, string message)
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", option, value));

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain(message).And.Not.Contain("   at "));
        Assert.That(Directory.Exists(Output), Is.False, "nothing is created for a bad option");
    }

    [Test]
    public void An_output_that_is_an_existing_file_exits_2_and_leaves_the_file_alone()
    {
        var file = Path.Combine(Folder, "report.txt");
        File.WriteAllText(file, "keep me");

        var (code, output, error) = CliProcess.Run(Minutes, null, [.. Tune("--trials", "1").Select(a => a == Output ? file : a)]);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("--output").And.Contain("is a file").And.Not.Contain("   at "));
        Assert.That(File.ReadAllText(file), Is.EqualTo("keep me"));
        Assert.That(Directory.GetFileSystemEntries(Folder), Is.EqualTo(new[] { file }), "no store beside it");
    }

    [Test]
    public void An_output_folder_that_cannot_be_written_is_refused_before_any_trial_runs()
    {
        // A folder below a file can never be created, whatever the user's rights (the tests may run as root).
        var blocker = Path.Combine(Folder, "blocker");
        File.WriteAllText(blocker, "x");
        var unwritable = Path.Combine(blocker, "out");

        var (code, output, error) = CliProcess.Run(Minutes, null, [.. Tune("--trials", "3").Select(a => a == Output ? unwritable : a)]);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("--output").And.Contain("cannot be written").And.Not.Contain("   at "));
        Assert.That(output, Does.Not.Contain("trial "), "checked before tuning, not after");
        Assert.That(File.ReadAllText(blocker), Is.EqualTo("x"));
    }

    [Test]
    public void A_bad_label_exits_2_without_leaving_an_empty_store_or_output_folder()
    {
        var data = Path.Combine(Folder, "three-labels.csv");
        File.WriteAllLines(data, ["x,y,label", .. Enumerable.Range(0, 60).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i % 7},{"abc"[i % 3]}"))]);

        var (code, output, error) = CliProcess.Run(Minutes, null, "tune", "--data", data, "--label", "label", "--task", "binary", "--output", Output);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("label").And.Not.Contain("   at "));
        Assert.That(File.Exists(DefaultStore), Is.False, "no new empty studies.db");
        Assert.That(Directory.Exists(Output), Is.False);
    }

    [TestCase("tune")]
    [TestCase("studies")]
    [TestCase("trials")]
    public void Another_programs_sqlite_file_is_refused_byte_identical(string command)
    {
        var db = Path.Combine(Folder, "other.db");
        BadInputFiles.CreateForeignDatabase(db, userVersion: 0);
        var before = BadInputFiles.Hash(db);

        var (code, output, error) = CliProcess.Run(Minutes, null, StoreCommand(command, db));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain("another program").And.Contain("customers"));
        Assert.That(BadInputFiles.Hash(db), Is.EqualTo(before), "the refused file is untouched (not switched to WAL)");
        Assert.That(File.Exists(db + "-wal"), Is.False);
    }

    [Test]
    public void A_store_of_a_newer_schema_is_refused_byte_identical()
    {
        var db = Path.Combine(Folder, "newer.db");
        BadInputFiles.CreateForeignDatabase(db, userVersion: 99);
        var before = BadInputFiles.Hash(db);

        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", db));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain("schema version 99"));
        Assert.That(BadInputFiles.Hash(db), Is.EqualTo(before));
    }

    [TestCase("studies")]
    [TestCase("trials")]
    public void Listing_a_store_opens_it_read_only_and_changes_no_byte(string command)
    {
        var db = Path.Combine(Folder, "rollback.db");
        BadInputFiles.CreateStoreWithTrials(db, "s", journalMode: "DELETE");
        var before = BadInputFiles.Hash(db);

        var (code, output, error) = CliProcess.Run(Minutes, null, StoreCommand(command, db, "s"));

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain(command == "studies" ? "1 studies." : "3 trials."));
        Assert.That(BadInputFiles.Hash(db), Is.EqualTo(before), "reading must not switch the file to WAL or write a schema");
    }

    [Test]
    public void Listing_an_empty_file_shows_no_studies_and_writes_no_schema_into_it()
    {
        var db = Path.Combine(Folder, "empty.db");
        File.WriteAllBytes(db, []);

        var (code, output, error) = CliProcess.Run(Minutes, null, "studies", "--storage", db);

        Assert.That(code, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("0 studies."));
        Assert.That(new FileInfo(db).Length, Is.Zero);
    }

    [TestCase("parameters_json", "{not json", "trials")]
    [TestCase("intermediate_json", "[1,2", "trials")]
    [TestCase("state", "zombie", "trials")]
    [TestCase("state", "zombie", "studies")]
    public void A_stored_row_that_cannot_be_read_is_a_store_error_exit_3(string column, string value, string command)
    {
        var db = Path.Combine(Folder, "damaged.db");
        BadInputFiles.CreateStoreWithTrials(db, "s", journalMode: "DELETE");
        BadInputFiles.Execute(db, $"UPDATE trials SET {column} = $v WHERE trial_id = 1", value);
        var before = BadInputFiles.Hash(db);

        var (code, output, error) = CliProcess.Run(Minutes, null, StoreCommand(command, db, "s"));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain("cannot read").And.Contain(db).And.Not.Contain("   at "));
        Assert.That(BadInputFiles.Hash(db), Is.EqualTo(before));
    }

    [TestCase("Host=127.0.0.1;Port=1;Username=u;Password=\"zq1;xv9\";Timeout=3", new[] { "zq1", "xv9" })]
    [TestCase("Host=127.0.0.1;Port=1;Username=u;PSW=hunter77;Timeout=3", new[] { "hunter77" })]
    [TestCase("Host=127.0.0.1;Port=1;Username=u;pwd='it''s-q8';Timeout=3", new[] { "it's-q8", "q8" })]
    public void An_unreachable_postgres_store_exits_3_without_any_part_of_the_password(string connection, string[] secrets)
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", "postgres:" + connection));

        Assert.That(code, Is.EqualTo(3), output + error);
        Assert.That(error, Does.Contain("Cannot use the PostgreSQL store").And.Contain("127.0.0.1"));
        foreach (var secret in secrets)
        {
            Assert.That(output + error, Does.Not.Contain(secret));
        }
    }

    [TestCase("Hots=127.0.0.1;PSW=hunter88", new[] { "hunter88" })]
    [TestCase("Hots=127.0.0.1;Password=\"sec;ret\"", new[] { "sec;ret", "ret\"" })]
    [TestCase("Hots=127.0.0.1;SSL Password=keypass5;Password=pw6", new[] { "keypass5", "pw6" })]
    public void A_connection_string_npgsql_refuses_exits_2_without_any_part_of_a_secret(string connection, string[] secrets)
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", "postgres:" + connection));

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("Malformed PostgreSQL connection string").And.Not.Contain("   at "));
        foreach (var secret in secrets)
        {
            Assert.That(output + error, Does.Not.Contain(secret));
        }

        Assert.That(File.Exists(DefaultStore), Is.False);
    }

    [Test]
    public void An_unparsable_postgres_connection_string_shows_only_host_and_database()
    {
        var (code, output, error) = CliProcess.Run(Minutes, null, Tune("--trials", "1", "--storage", "postgres:Host=h1.example;Database=tuning;Password=\"open-quote-zz9;User=me"));

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("h1.example").And.Contain("tuning").And.Not.Contain("   at "));
        Assert.That(output + error, Does.Not.Contain("zz9").And.Not.Contain("open-quote"));
    }

    [Test]
    public void A_worker_output_that_is_a_file_exits_2_before_running_trials()
    {
        var db = Path.Combine(Folder, "w.db");
        var create = CliProcess.Run(Minutes, null, Tune("--trials", "5", "--storage", db, "--study", "w", "--create-only"));
        Assert.That(create.ExitCode, Is.EqualTo(0), create.Output + create.Error);
        var file = Path.Combine(Folder, "not-a-folder");
        File.WriteAllText(file, "keep");

        var (code, output, error) = CliProcess.Run(Minutes, null, "worker", "--storage", db, "--study", "w", "--output", file);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("is a file"));
        Assert.That(File.ReadAllText(file), Is.EqualTo("keep"));
        using var store = new SqliteTrialStore(db);
        Assert.That(store.Load("w"), Is.Empty, "no trial ran");
    }

    private static string[] StoreCommand(string command, string db, string study = "s") => command switch
    {
        "tune" => ["tune", "--data", RepositoryFiles.Loans, "--label", "approved", "--task", "binary", "--trials", "1", "--storage", db],
        "studies" => ["studies", "--storage", db],
        _ => ["trials", "--storage", db, "--study", study],
    };
}

/// <summary>Files the bad-input tests make: other programs' databases, damaged stores, hashes.</summary>
internal static class BadInputFiles
{
    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>A database in rollback-journal mode (as most programs leave theirs) with a table of its own.</summary>
    public static void CreateForeignDatabase(string path, int userVersion)
    {
        Execute(path, "PRAGMA journal_mode = DELETE");
        Execute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
        Execute(path, "INSERT INTO customers (name) VALUES ('Ada'), ('Grace')");
        Execute(path, $"PRAGMA user_version = {userVersion}");
    }

    /// <summary>A store of this program holding study <paramref name="study"/> with three completed trials.</summary>
    public static void CreateStoreWithTrials(string path, string study, string journalMode)
    {
        using (var store = new SqliteTrialStore(path))
        {
            StoreTestKit.Open(store, study).Optimize(c => StoreTestKit.Objective(c.Parameters), new StudyLimits { MaxTrials = 3 });
        }

        Execute(path, $"PRAGMA journal_mode = {journalMode}");
    }

    public static void Execute(string path, string sql, string? value = null)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }

        command.ExecuteNonQuery();
    }
}
