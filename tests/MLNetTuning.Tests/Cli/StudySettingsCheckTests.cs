using MLNetTuning.Cli;
using MLNetTuning.Cli.Running;
using MLNetTuning.Storage;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Cli;

public class StudySettingsCheckTests
{
    private static readonly TuneSettings Stored = new()
    {
        DataPath = "/data/a.csv",
        LabelColumn = "y",
        Task = "binary",
        Trainers = ["LbfgsLogisticRegression"],
        Tuner = "random",
        Metric = null,
        Seed = 1,
        ValidationFraction = 0.2,
        Trials = 30,
        DataSize = 100,
        DataHash = "ab12",
    };

    [Test]
    public void Defaults_spelled_out_and_path_tuner_and_budget_may_change()
    {
        var now = Stored with { DataPath = "/elsewhere/a.csv", Tuner = "grid", Trials = 50, Metric = "AreaUnderRocCurve", Trainers = ["lbfgslogisticregression"] };

        Assert.That(StudySettingsCheck.Differences(Stored, now), Is.Empty);
    }

    [Test]
    public void Each_difference_is_named_with_its_option()
    {
        var now = Stored with { Metric = "F1Score", Seed = 2, ValidationFraction = 0.3, DataHash = "cd34", ColumnKinds = new Dictionary<string, string> { ["x"] = "text" } };

        var differences = StudySettingsCheck.Differences(Stored, now);

        Assert.That(differences, Is.EquivalentTo(new[]
        {
            "--metric: stored AreaUnderRocCurve, now F1Score",
            "--seed: stored 1, now 2",
            "--validation-fraction: stored 0.2, now 0.3",
            "data file SHA-256: stored ab12, now cd34",
            "--column-kind: stored (none), now {\"x\":\"text\"}",
        }));
    }

    [Test]
    public void A_study_stored_before_the_hash_was_kept_is_compared_on_what_it_has()
    {
        var old = Stored with { DataSize = null, DataHash = null };

        Assert.That(StudySettingsCheck.Differences(old, Stored with { ColumnKinds = new Dictionary<string, string> { ["x"] = "text" } }), Is.Empty);
        Assert.That(StudySettingsCheck.Differences(old, Stored with { Seed = 5 }), Has.One.StartsWith("--seed"));
    }

    [Test]
    public void Force_new_study_picks_the_first_free_name_and_leaves_the_stored_study()
    {
        var store = new InMemoryTrialStore();
        foreach (var name in new[] { "s", "s-2" })
        {
            using var study = StoreTestKit.Open(store, name);
            study.Optimize(c => StoreTestKit.Objective(c.Parameters), new MLNetTuning.Studies.StudyLimits { MaxTrials = 1 });
        }

        Assert.That(StudySettingsCheck.NameFor(store, "s", Stored, forceNew: true), Is.EqualTo("s-3"));
        Assert.That(StudySettingsCheck.NameFor(store, "new", Stored, forceNew: true), Is.EqualTo("new"));
        Assert.That(store.Load("s"), Has.Count.EqualTo(1));
    }

    [Test]
    public void Unreadable_stored_settings_are_a_store_error()
    {
        var error = Assert.Throws<CliException>(() => TuneSettings.FromJson("{\"seed\": \"x\""));

        Assert.That(error!.ExitCode, Is.EqualTo(3));
        Assert.That(error.Message, Does.Contain("stored settings cannot be read"));
    }
}
