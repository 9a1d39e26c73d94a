using System.Text.Json.Nodes;
using MLNetTuning.Cli.Running;
using MLNetTuning.Tests.BadInput;

namespace MLNetTuning.Tests.Cli.Generation;

/// <summary>
/// The <c>.mltune</c> written by <c>generate</c> carries the budgets, the validation file and the folds, and
/// <c>tune --config</c> replays them: the new study stores the same settings and, with the same seed, proposes the
/// same trial parameters.
/// </summary>
[NonParallelizable]
public class ConfigReplayTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);

    private string Out => Path.Combine(Folder, "out");

    private string Db => Path.Combine(Out, "studies.db");

    [Test]
    public void A_cross_validated_study_replays_with_its_folds_and_proposes_the_same_parameters()
    {
        var config = TuneAndGenerate("--trainers", "LbfgsLogisticRegression", "--trials", "3", "--tuner", "tpe", "--seed", "7", "--cv", "3");
        Assert.That((int?)config["cross_validation_folds"], Is.EqualTo(3));

        var (first, second) = Replay();
        Assert.That(second.CrossValidationFolds, Is.EqualTo(3));
        Assert.That(SameSettings(first, second), Is.True, "the replayed study's settings");
        AssertSameTrials();
    }

    [Test]
    public void A_budgeted_hyperband_study_replays_its_budgets_and_proposes_the_same_parameters()
    {
        var config = TuneAndGenerate("--trainers", "FastTree", "--trials", "5", "--tuner", "hyperband", "--seed", "5", "--min-budget", "2", "--max-budget", "8", "--budget-unit", "trees");
        Assert.That((double?)config["min_budget"], Is.EqualTo(2));
        Assert.That((double?)config["max_budget"], Is.EqualTo(8));
        Assert.That((string?)config["budget_unit"], Is.EqualTo("trees"));

        var (first, second) = Replay();
        Assert.That((second.Tuner, second.MinBudget, second.MaxBudget, second.BudgetUnit), Is.EqualTo(("hyperband", (double?)2, (double?)8, "trees")));
        Assert.That(SameSettings(first, second), Is.True, "the replayed study's settings");
        AssertSameTrials();
    }

    [Test]
    public void A_study_with_tuner_options_replays_them_and_proposes_the_same_parameters()
    {
        // Two startup trials instead of TPE's default: trials 3-5 come from the model only when the option is replayed.
        var config = TuneAndGenerate("--trainers", "LbfgsLogisticRegression", "--trials", "5", "--tuner", "tpe", "--seed", "3", "--tuner-option", "StartupTrials=2");
        Assert.That((string?)config["tuner_options"]?["StartupTrials"], Is.EqualTo("2"));

        var (first, second) = Replay();
        Assert.That(second.TunerOptions, Is.EquivalentTo(new Dictionary<string, string> { ["StartupTrials"] = "2" }));
        Assert.That(SameSettings(first, second), Is.True, "the replayed study's settings");
        AssertSameTrials();
    }

    [Test]
    public void A_study_with_a_validation_file_replays_it_and_options_given_on_the_command_line_win()
    {
        var validation = Path.Combine(Folder, "validation.csv");
        var lines = File.ReadAllLines(RepositoryFiles.Loans);
        File.WriteAllLines(validation, lines.Take(1).Concat(lines.Skip(301)));
        var config = TuneAndGenerate("--trainers", "LbfgsLogisticRegression", "--trials", "2", "--tuner", "random", "--validation-data", validation);
        Assert.That((string?)config["validation_data"], Is.EqualTo(Path.GetFullPath(validation)));

        var (_, second) = Replay();
        Assert.That(second.ValidationData, Is.EqualTo(Path.GetFullPath(validation)));
        AssertSameTrials();

        // --cv on the command line replaces the config's validation file instead of clashing with it.
        var overridden = CliProcess.Run(Minutes, null, "tune", "--config", ConfigPath, "--output", Out, "--cv", "2", "--trials", "1");
        Assert.That(overridden.ExitCode, Is.EqualTo(0), overridden.Output + overridden.Error);
        var third = Settings("first-3");
        Assert.That((third.CrossValidationFolds, third.ValidationData), Is.EqualTo(((int?)2, (string?)null)));
    }

    private string ConfigPath => Path.Combine(Folder, "gen", "LoanModel", "LoanModel.mltune");

    private JsonNode TuneAndGenerate(params string[] options)
    {
        var tune = CliProcess.Run(Minutes, null, ["tune", "--data", RepositoryFiles.Loans, "--label", "approved", "--task", "binary", "--output", Out, "--study", "first", .. options]);
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);
        var generate = CliProcess.Run(Minutes, null, "generate", "--study", "first", "--storage", Db, "--out", Path.Combine(Folder, "gen"), "--name", "LoanModel");
        Assert.That(generate.ExitCode, Is.EqualTo(0), generate.Output + generate.Error);
        return JsonNode.Parse(File.ReadAllText(ConfigPath))!;
    }

    private (TuneSettings First, TuneSettings Second) Replay()
    {
        var replay = CliProcess.Run(Minutes, null, "tune", "--config", ConfigPath, "--output", Out);
        Assert.That(replay.ExitCode, Is.EqualTo(0), replay.Output + replay.Error);
        Assert.That(replay.Output, Does.Contain("'first-2'"));
        return (Settings("first"), Settings("first-2"));
    }

    private TuneSettings Settings(string study)
    {
        using var store = (IDisposable)StoreLocation.Open(Db, null, Db, mustExist: true, readOnly: true);
        var stored = ((MLNetTuning.Storage.ITrialStore)store).FindStudy(study) ?? throw new AssertionException($"no study {study}");
        return TuneSettings.FromJson(stored.Attributes[TuneSettings.AttributeKey]);
    }

    private void AssertSameTrials()
    {
        var first = CliProcess.Run(Minutes, null, "trials", "--storage", Db, "--study", "first", "--format", "csv");
        var second = CliProcess.Run(Minutes, null, "trials", "--storage", Db, "--study", "first-2", "--format", "csv");
        var proposed = Parameters(first.Output);
        Assert.That(proposed, Is.Not.Empty);
        Assert.That(Parameters(second.Output), Is.EqualTo(proposed));
    }

    private static bool SameSettings(TuneSettings a, TuneSettings b) =>
        a.DataPath == b.DataPath && a.LabelColumn == b.LabelColumn && a.Task == b.Task && a.Trainers.SequenceEqual(b.Trainers)
        && a.Tuner == b.Tuner && a.Metric == b.Metric && a.Seed == b.Seed && a.ValidationFraction == b.ValidationFraction && a.Trials == b.Trials
        && a.MinBudget == b.MinBudget && a.MaxBudget == b.MaxBudget && a.BudgetUnit == b.BudgetUnit
        && a.ValidationData == b.ValidationData && a.CrossValidationFolds == b.CrossValidationFolds;

    /// <summary>Trial rows without their timing and worker columns: the parameters and values.</summary>
    private static List<string> Parameters(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Skip(1)
        .Select(line => line.Split(','))
        .Select(cells => string.Join(",", cells.Take(3).Concat(cells.Skip(6))))
        .ToList();
}
