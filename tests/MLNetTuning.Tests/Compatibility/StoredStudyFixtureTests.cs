using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Cli;

namespace MLNetTuning.Tests.Compatibility;

/// <summary>
/// A SQLite study written by an earlier version of the pack (Fixtures/studies-schema1-loans-binary.db: mlnet-tune at
/// schema version 1, three trials of FastTree and L-BFGS on samples/data/loans.csv) still opens and resumes: a newer
/// schema must migrate such files, never refuse or damage them.
/// </summary>
public class StoredStudyFixtureTests
{
    private const string Fixture = "studies-schema1-loans-binary.db";

    [Test]
    public void TheStoredStudyOpensWithItsTrials()
    {
        var folder = CopyFixture();
        using var store = new SqliteTrialStore(Path.Combine(folder, "studies.db"));

        var study = store.ListStudies().Single();
        var trials = store.Load(study.Name);

        Assert.That(trials.Select(t => t.Id), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(trials.Select(t => t.State), Is.All.EqualTo(TrialState.Completed));
        Assert.That(trials.Max(t => t.Value), Is.EqualTo(0.8407).Within(1e-4));
    }

    [Test]
    public void MlnetTuneResumesTheStoredStudyWithoutLosingItsTrials()
    {
        var folder = CopyFixture();
        File.Copy(RepositoryFiles.Loans, Path.Combine(folder, "loans.csv"));
        IReadOnlyList<TuningTrial> before;
        using (var store = new SqliteTrialStore(Path.Combine(folder, "studies.db")))
        {
            before = store.Load(store.ListStudies().Single().Name);
        }

        var run = CliProcess.Run(TimeSpan.FromMinutes(5), null,
            ["tune", "--data", Path.Combine(folder, "loans.csv"), "--label", "approved", "--task", "binary", "--trials", "5",
             "--trainers", "FastTree,LbfgsLogisticRegression", "--output", folder]);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output + run.Error);
        Assert.That(run.Output, Does.Contain("Resuming"));
        using var reopened = new SqliteTrialStore(Path.Combine(folder, "studies.db"));
        var after = reopened.Load(reopened.ListStudies().Single().Name);
        Assert.That(after.Select(t => t.Id), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(after.Take(3).Select(t => (t.State, t.Value)), Is.EqualTo(before.Select(t => (t.State, t.Value))));
    }

    private static string CopyFixture()
    {
        var folder = Directory.CreateTempSubdirectory("stored-study-").FullName;
        File.Copy(Path.Combine(RepositoryFiles.RepositoryRoot(), "tests", "MLNetTuning.Tests", "Compatibility", "Fixtures", Fixture), Path.Combine(folder, "studies.db"));
        return folder;
    }
}
