using MLNetTuning.Storage;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Cli;

/// <summary><c>mlnet-tune studies delete|rename|copy|export|import</c> as real processes: what they store, and their errors
/// with exit codes (docs/cli-exit-codes.md).</summary>
[NonParallelizable]
public class CliStudyHousekeepingTests
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string _folder = "";
    private string _db = "";

    [SetUp]
    public void SetUp()
    {
        _folder = StoreTestKit.TempFolder();
        _db = Path.Combine(_folder, "studies.db");
        using var store = new SqliteTrialStore(_db);
        HousekeepingKit.Fill(store, "alpha");
        HousekeepingKit.Fill(store, "beta");
    }

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliProcess.Run(Minutes, null, args);

    private static (StoredStudy Study, List<TrialRecord> Trials) Read(string db, string name)
    {
        using var store = SqliteTrialStore.OpenReadOnly(db);
        return (store.FindStudy(name)!, HousekeepingKit.Records(store.Load(name)));
    }

    [Test]
    public void Export_then_import_under_another_name_gives_the_same_study()
    {
        var file = Path.Combine(_folder, "exports", "alpha.jsonl");
        var export = Run("studies", "export", "--storage", _db, "--study", "alpha", "--out", file);
        Assert.That(export.ExitCode, Is.Zero, export.Error);
        Assert.That(export.Output, Does.Contain("5 trials"));

        var other = Path.Combine(_folder, "other.db");
        var import = Run("studies", "import", "--storage", other, "--file", file, "--as", "alpha-copy");
        Assert.That(import.ExitCode, Is.Zero, import.Error);

        var (study, trials) = Read(_db, "alpha");
        var (copy, copyTrials) = Read(other, "alpha-copy");
        HousekeepingKit.AssertSameStudy(copy, study with { Name = "alpha-copy" });
        Assert.That(copyTrials, Is.EqualTo(trials));

        var again = Run("studies", "import", "--storage", other, "--file", file, "--as", "alpha-copy");
        Assert.That(again.ExitCode, Is.EqualTo(2));
        Assert.That(again.Error, Does.Contain("already has a study 'alpha-copy'"));
    }

    [Test]
    public void SQLite_to_PostgreSQL_and_back_through_a_file_and_copy_is_exact()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }

        var name = "cli" + Guid.NewGuid().ToString("N")[..10];
        var file = Path.Combine(_folder, "alpha.jsonl");
        var back = Path.Combine(_folder, "back.db");
        var postgres = "postgres:" + PostgresTestDatabase.ConnectionString;
        Assert.That(Run("studies", "export", "--storage", _db, "--study", "alpha", "--out", file).ExitCode, Is.Zero);
        var import = Run("studies", "import", "--storage", postgres, "--file", file, "--as", name);
        Assert.That(import.ExitCode, Is.Zero, import.Error);
        try
        {
            var copy = Run("studies", "copy", "--storage", postgres, "--study", name, "--to-storage", back, "--as", "alpha");
            Assert.That(copy.ExitCode, Is.Zero, copy.Error);
            var password = new Npgsql.NpgsqlConnectionStringBuilder(PostgresTestDatabase.ConnectionString).Password;
            Assert.That(copy.Output, Does.Contain("Password=***").And.Not.Contain("Password=" + password), "the password is never shown");

            var (study, trials) = Read(_db, "alpha");
            var (returned, returnedTrials) = Read(back, "alpha");
            HousekeepingKit.AssertSameStudy(returned, study);
            Assert.That(returnedTrials, Is.EqualTo(trials));
        }
        finally
        {
            Assert.That(Run("studies", "delete", "--storage", postgres, "--study", name, "--yes").ExitCode, Is.Zero);
        }
    }

    [Test]
    public void Copy_within_a_store_needs_a_new_name_and_keeps_the_original()
    {
        var same = Run("studies", "copy", "--storage", _db, "--study", "alpha");
        Assert.That(same.ExitCode, Is.EqualTo(2));
        Assert.That(same.Error, Does.Contain("--as"));

        var taken = Run("studies", "copy", "--storage", _db, "--study", "alpha", "--as", "beta");
        Assert.That(taken.ExitCode, Is.EqualTo(2));
        Assert.That(taken.Error, Does.Contain("already has a study 'beta'"));

        var copy = Run("studies", "copy", "--storage", _db, "--study", "alpha", "--as", "gamma");
        Assert.That(copy.ExitCode, Is.Zero, copy.Error);
        Assert.That(Read(_db, "gamma").Trials, Is.EqualTo(Read(_db, "alpha").Trials));
    }

    [Test]
    public void Rename_and_delete_change_the_store_and_name_unknown_or_taken_studies()
    {
        var taken = Run("studies", "rename", "--storage", _db, "--study", "alpha", "--to", "beta");
        Assert.That(taken.ExitCode, Is.EqualTo(2));
        Assert.That(taken.Error, Does.Contain("already has a study 'beta'"));

        var renamed = Run("studies", "rename", "--storage", _db, "--study", "alpha", "--to", "alpha2");
        Assert.That(renamed.ExitCode, Is.Zero, renamed.Error);
        var unknown = Run("studies", "rename", "--storage", _db, "--study", "alpha", "--to", "alpha3");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Error, Does.Contain("Study 'alpha' is not in").And.Contain("alpha2, beta"));

        var unconfirmed = Run("studies", "delete", "--storage", _db, "--study", "beta");
        Assert.That(unconfirmed.ExitCode, Is.EqualTo(2));
        Assert.That(unconfirmed.Error, Does.Contain("--yes"));
        Assert.That(Read(_db, "beta").Trials, Has.Count.EqualTo(HousekeepingKit.TrialCount), "nothing deleted without --yes");

        var deleted = Run("studies", "delete", "--storage", _db, "--study", "beta", "--yes");
        Assert.That(deleted.ExitCode, Is.Zero, deleted.Error);
        using var store = SqliteTrialStore.OpenReadOnly(_db);
        Assert.That(store.ListStudies().Select(s => s.Name), Is.EqualTo(new[] { "alpha2" }));
        Assert.That(Run("studies", "delete", "--storage", _db, "--study", "beta", "--yes").ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void Import_names_a_malformed_line_a_newer_file_and_a_missing_file()
    {
        var file = Path.Combine(_folder, "alpha.jsonl");
        Assert.That(Run("studies", "export", "--storage", _db, "--study", "alpha", "--out", file).ExitCode, Is.Zero);
        var lines = File.ReadAllLines(file);
        var target = Path.Combine(_folder, "target.db");

        File.WriteAllLines(file, [lines[0], lines[1], "{\"trialId\": \"one\"}", .. lines[3..]]);
        var malformed = Run("studies", "import", "--storage", target, "--file", file);
        Assert.That(malformed.ExitCode, Is.EqualTo(2));
        Assert.That(malformed.Error, Does.Contain("Line 3:"));

        File.WriteAllLines(file, [lines[0].Replace("\"version\":1", "\"version\":7", StringComparison.Ordinal), .. lines[1..]]);
        var newer = Run("studies", "import", "--storage", target, "--file", file);
        Assert.That(newer.ExitCode, Is.EqualTo(2));
        Assert.That(newer.Error, Does.Contain("newer").And.Contain("version 7"));

        var missing = Run("studies", "import", "--storage", target, "--file", Path.Combine(_folder, "nope.jsonl"));
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Error, Does.Contain("No study export"));
        Assert.That(File.Exists(target), Is.False, "a refused import creates no store");

        var export = Run("studies", "export", "--storage", _db, "--study", "nope", "--out", file);
        Assert.That(export.ExitCode, Is.EqualTo(2));
        Assert.That(export.Error, Does.Contain("Study 'nope' is not in"));
        Assert.That(new[] { malformed.Error, newer.Error, missing.Error, export.Error }, Has.None.Contain("   at "), "no stack trace");
    }
}
