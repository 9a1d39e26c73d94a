using MLNetTuning.Storage;
using MLNetTuning.Studies;
using static MLNetTuning.Tests.Storage.StoreTestKit;

namespace MLNetTuning.Tests.Storage;

/// <summary>Delete, rename and import of whole studies, in every store.</summary>
[TestFixture("memory")]
[TestFixture("sqlite")]
[TestFixture("postgres")]
public class StudyHousekeepingTests(string kind)
{
    private readonly string _prefix = "h" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<IDisposable> _open = [];
    private string _folder = "";
    private ITrialStore? _store;

    [SetUp]
    public void SetUp()
    {
        if (kind == "postgres" && PostgresTestDatabase.ConnectionString is null)
        {
            Assert.Ignore(PostgresTestDatabase.IgnoreMessage);
        }

        _folder = TempFolder();
        _store = kind switch
        {
            "memory" => new InMemoryTrialStore(),
            "sqlite" => new SqliteTrialStore(Path.Combine(_folder, "study.db")),
            _ => new PostgresTrialStore(PostgresTestDatabase.ConnectionString!),
        };
        if (_store is IDisposable d)
        {
            _open.Add(d);
        }
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _open.Clear();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_folder.Length > 0)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string Name(string name) => $"{_prefix}-{name}";

    [Test]
    public void Delete_removes_the_study_its_trials_and_attributes_and_leaves_the_others()
    {
        var store = _store!;
        HousekeepingKit.Fill(store, Name("gone"));
        HousekeepingKit.Fill(store, Name("kept"));

        Assert.That(store.DeleteStudy(Name("gone")), Is.True);
        Assert.That(store.FindStudy(Name("gone")), Is.Null);
        Assert.That(store.Load(Name("gone")), Is.Empty);
        Assert.That(store.FindStudy(Name("kept"))!.TrialCount, Is.EqualTo(HousekeepingKit.TrialCount));
        Assert.That(store.DeleteStudy(Name("gone")), Is.False, "an unknown study is reported, not an error");

        // The name is free again: a new study under it starts empty, without the old attributes.
        var fresh = store.OpenStudy(Name("gone"), Space, OptimizationDirection.Minimize);
        Assert.That(fresh.TrialCount, Is.Zero);
        Assert.That(fresh.Attributes, Is.Empty);
    }

    [Test]
    public void Rename_keeps_everything_under_the_new_name_and_refuses_unknown_or_taken_names()
    {
        var store = _store!;
        HousekeepingKit.Fill(store, Name("old"));
        HousekeepingKit.Fill(store, Name("taken"));
        var before = store.FindStudy(Name("old"))!;
        var trials = HousekeepingKit.Records(store.Load(Name("old")));

        store.RenameStudy(Name("old"), Name("new"));

        Assert.That(store.FindStudy(Name("old")), Is.Null);
        HousekeepingKit.AssertSameStudy(store.FindStudy(Name("new"))!, before with { Name = Name("new") });
        Assert.That(HousekeepingKit.Records(store.Load(Name("new"))), Is.EqualTo(trials));
        Assert.That(store.NextTrialId(Name("new")), Is.EqualTo(HousekeepingKit.TrialCount), "the id counter moved with the study");

        var taken = Assert.Throws<InvalidOperationException>(() => store.RenameStudy(Name("new"), Name("taken")))!;
        Assert.That(taken.Message, Does.Contain(Name("taken")));
        Assert.Throws<InvalidOperationException>(() => store.RenameStudy(Name("missing"), Name("other")));
        Assert.Throws<ArgumentException>(() => store.RenameStudy(Name("new"), "bad name"));
        Assert.That(store.FindStudy(Name("new")), Is.Not.Null, "a refused rename changed nothing");
    }

    [Test]
    public void Import_writes_the_study_exactly_and_refuses_a_taken_name()
    {
        var source = new InMemoryTrialStore();
        HousekeepingKit.Fill(source, Name("src"));
        var study = source.FindStudy(Name("src"))!;
        var trials = source.Load(Name("src"));

        _store!.ImportStudy(study, trials);

        HousekeepingKit.AssertSameStudy(_store.FindStudy(Name("src"))!, study);
        Assert.That(HousekeepingKit.Records(_store.Load(Name("src"))), Is.EqualTo(HousekeepingKit.Records(trials)), "heartbeats, times and workers as given, not stamped anew");
        Assert.That(_store.NextTrialId(Name("src")), Is.EqualTo(HousekeepingKit.TrialCount));
        var e = Assert.Throws<InvalidOperationException>(() => _store.ImportStudy(study, trials))!;
        Assert.That(e.Message, Does.Contain(Name("src")));
    }
}
