using MLNetTuning.Storage;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Storage;

/// <summary>A study as JSON lines: exact round trips between stores, and clear errors on files that are not exports.</summary>
public class StudyJsonLinesTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = StoreTestKit.TempFolder();

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Export(ITrialStore store, string name)
    {
        var writer = new StringWriter();
        StudyJsonLines.Write(store.FindStudy(name)!, store.Load(name), writer);
        return writer.ToString();
    }

    private static (StoredStudy Study, IReadOnlyList<TuningTrial> Trials) Read(string text) => StudyJsonLines.Read(new StringReader(text));

    [Test]
    public void SQLite_to_JSON_lines_to_PostgreSQL_to_SQLite_gives_an_identical_study()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }

        var name = "rt" + Guid.NewGuid().ToString("N")[..10];
        using var first = new SqliteTrialStore(Path.Combine(_folder, "first.db"));
        HousekeepingKit.Fill(first, name);
        var exported = Export(first, name);

        using var postgres = new PostgresTrialStore(PostgresTestDatabase.ConnectionString);
        var (study, trials) = Read(exported);
        postgres.ImportStudy(study, trials);
        try
        {
            using var last = new SqliteTrialStore(Path.Combine(_folder, "last.db"));
            last.ImportStudy(postgres.FindStudy(name)!, postgres.Load(name));

            HousekeepingKit.AssertSameStudy(last.FindStudy(name)!, first.FindStudy(name)!);
            Assert.That(HousekeepingKit.Records(last.Load(name)), Is.EqualTo(HousekeepingKit.Records(first.Load(name))));
            Assert.That(Export(last, name), Is.EqualTo(exported), "the exports agree byte for byte");
        }
        finally
        {
            postgres.DeleteStudy(name);
        }
    }

    [Test]
    public void Every_column_survives_a_round_trip_through_the_text()
    {
        var store = new InMemoryTrialStore();
        HousekeepingKit.Fill(store, "s");
        var text = Export(store, "s");

        var (study, trials) = Read(text);

        HousekeepingKit.AssertSameStudy(study, store.FindStudy("s")!);
        Assert.That(HousekeepingKit.Records(trials), Is.EqualTo(HousekeepingKit.Records(store.Load("s"))));
        Assert.That(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1 + HousekeepingKit.TrialCount), "a header and one line per trial");
        Assert.That(trials.Single(t => t.State == TrialState.Running).HeartbeatAt, Is.Not.Null);
    }

    [Test]
    public void Non_finite_values_round_trip()
    {
        var store = new InMemoryTrialStore();
        store.OpenStudy("s", StoreTestKit.Space, OptimizationDirection.Minimize);
        var trial = new TuningTrial(0, StoreTestKit.Space.DecodeParameters([0.5, 0.5, 0.5]));
        trial.Restore(TrialState.Completed, double.NaN, double.NegativeInfinity, null, trial.StartedAt, [new(1, double.Epsilon)]);
        store.Save("s", trial);

        var read = Read(Export(store, "s")).Trials.Single();

        Assert.That(read.Value, Is.NaN);
        Assert.That(read.Loss, Is.EqualTo(double.NegativeInfinity));
        Assert.That(read.IntermediateValues[1], Is.EqualTo(double.Epsilon));
    }

    [Test]
    public void A_malformed_trial_line_is_named_by_its_number()
    {
        var store = new InMemoryTrialStore();
        HousekeepingKit.Fill(store, "s");
        var lines = Export(store, "s").Split('\n').ToList();
        lines[3] = lines[3].Replace("\"state\":\"failed\"", "\"state\":\"exploded\"", StringComparison.Ordinal);

        var e = Assert.Throws<FormatException>(() => Read(string.Join('\n', lines)))!;

        Assert.That(e.Message, Does.StartWith("Line 4:").And.Contain("exploded"));
        lines[2] = "{not json";
        Assert.That(Assert.Throws<FormatException>(() => Read(string.Join('\n', lines)))!.Message, Does.StartWith("Line 3:"));
    }

    [Test]
    public void A_file_of_a_newer_version_is_refused_by_name()
    {
        var store = new InMemoryTrialStore();
        HousekeepingKit.Fill(store, "s");
        var text = Export(store, "s").Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal);

        var e = Assert.Throws<FormatException>(() => Read(text))!;

        Assert.That(e.Message, Does.Contain("Line 1").And.Contain("newer").And.Contain("version 2"));
    }

    [Test]
    public void Files_that_are_not_exports_or_were_cut_short_are_refused()
    {
        var store = new InMemoryTrialStore();
        HousekeepingKit.Fill(store, "s");
        var lines = Export(store, "s").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(Assert.Throws<FormatException>(() => Read(""))!.Message, Does.Contain("empty"));
        Assert.That(Assert.Throws<FormatException>(() => Read("trial,value\n1,2\n"))!.Message, Does.StartWith("Line 1: not the header"));
        Assert.That(Assert.Throws<FormatException>(() => Read("{\"format\":\"something-else\"}"))!.Message, Does.Contain("not the header"));
        Assert.That(Assert.Throws<FormatException>(() => Read(string.Join('\n', lines[..^1])))!.Message, Does.Contain("cut short"));
        Assert.That(Assert.Throws<FormatException>(() => Read(string.Join('\n', lines.Append(lines[1]))))!.Message, Does.Contain("appears twice"));
    }
}
