using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML;
using MLNetTuning.Cli;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Running;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.BadInput;
using Spectre.Console;

namespace MLNetTuning.Tests.Cli;

/// <summary>Trainers that need non-negative labels (Poisson regression) on a regression label below 0: left out of
/// the default trainers with a note, refused when named, checked over every row of the file.</summary>
[NonParallelizable]
public class LabelRequirementTests : TempFolderTest
{
    private const string Poisson = "LbfgsPoissonRegression";

    /// <summary>Rows "x1,x2,city,y": y a noisy linear rule of x1 and x2 (from -4 to 8.3) plus <paramref name="offset"/>,
    /// written with 3 decimals (over 1,000 distinct values in 2,000 rows); <paramref name="label"/> may replace a row's label. The text column keeps the network out of the defaults.</summary>
    private string Csv(string name, int rows, double offset, Func<int, string?>? label = null)
    {
        var random = new Random(5);
        var text = new StringBuilder("x1,x2,city,y\n");
        for (var i = 0; i < rows; i++)
        {
            var (x1, x2) = (random.NextDouble() * 4, random.NextDouble() * 4);
            var y = label?.Invoke(i) ?? (offset + (2 * x1) - x2 + (0.3 * random.NextDouble())).ToString("F3", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{x1:F3},{x2:F3},c{i % 4},{y}\n");
        }

        return CsvFiles.Write(Folder, name, text.ToString());
    }

    private static (IReadOnlyList<string> Trainers, IReadOnlyList<string> LeftOut) Defaults(string path)
    {
        var file = TabularFile.Inspect(path);
        var (estimators, leftOut) = PreparedData.Trainers(new MLContext(0).Tuning(), file, LabelCheck.Of(file, "y", TuningTask.Regression), TuningTask.Regression, [], null, null);
        return (estimators.Select(e => e.Name).ToList(), leftOut);
    }

    [Test]
    public void Default_trainers_leave_Poisson_out_with_a_line_naming_the_smallest_label_and_the_row_count()
    {
        var path = Csv("mixed.csv", 200, offset: 0, label: i => i switch { 17 => "-7.25", 60 => "-0.5", 150 => "-3", _ => null });

        var (trainers, leftOut) = Defaults(path);

        Assert.That(trainers, Does.Not.Contain(Poisson).And.Contain("FastTree").And.Contain("Sdca").And.Contain("LightGbm"));
        Assert.That(leftOut, Has.Count.EqualTo(1));
        Assert.That(leftOut[0], Does.StartWith($"{Poisson} is left out of the default trainers: it needs non-negative labels (>= 0)")
            .And.Contain("the smallest value of the label 'y' is -7.25 (line 19)"));
        var negatives = File.ReadLines(path).Skip(1).Count(l => double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture) < 0);
        Assert.That(negatives, Is.GreaterThan(3), "the rule makes some labels negative too");
        Assert.That(leftOut[0], Does.Contain($"{negatives} of the 200 labelled rows are below 0"));
    }

    [Test]
    public void Labels_of_0_and_more_keep_Poisson_among_the_defaults_without_a_line()
    {
        var (trainers, leftOut) = Defaults(Csv("counts.csv", 100, offset: 4, label: i => i == 3 ? "0" : null));

        Assert.That(trainers, Does.Contain(Poisson));
        Assert.That(leftOut, Is.Empty);
    }

    [Test]
    public void A_label_below_0_after_row_20000_and_1000_distinct_values_is_found()
    {
        var path = Csv("late.csv", 21_000, offset: 4, label: i => i == 20_500 ? "-1.5" : null);

        var (trainers, leftOut) = Defaults(path);

        Assert.That(trainers, Does.Not.Contain(Poisson));
        Assert.That(leftOut.Single(), Does.Contain("is -1.5 (line 20502); 1 of the 21000 labelled rows"));
    }

    [Test]
    public void A_named_Poisson_trainer_is_refused_with_exit_2_naming_the_trainer_the_requirement_and_a_value_with_its_line()
    {
        var path = Csv("named.csv", 100, offset: 4, label: i => i == 30 ? "-12" : i == 70 ? "-1" : null);
        var file = TabularFile.Inspect(path);

        var error = Assert.Throws<CliException>(() => PreparedData.Build(new MLContext(1), file, "y", TuningTask.Regression, ["FastTree", "lbfgspoissonregression"], null, 0.2, 1));

        Assert.That(error!.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error.Message, Does.Contain($"The trainer '{Poisson}' needs non-negative labels (>= 0), but the label 'y' is -12 on line 32 (2 of the 100 labelled rows are below 0)"));
    }

    [Test]
    public async Task A_named_Poisson_trainer_stops_the_run_before_the_store_is_opened()
    {
        var db = Path.Combine(Folder, "studies.db");
        var settings = Settings(Csv("refused.csv", 100, offset: 0), [Poisson], trials: 2);
        var opened = false;

        var error = await Assert.ThrowsAsync<CliException>(() => StudyRunner.RunAsync(settings, () => { opened = true; return StoreLocation.Open(db, null, db); }, new RunOptions { StudyName = "refused", OutputFolder = Path.Combine(Folder, "out"), WriteSettings = true }, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) }), CancellationToken.None));

        Assert.That(error!.Message, Does.Contain($"'{Poisson}' needs non-negative labels"));
        Assert.That(opened, Is.False, "the store is never opened");
        Assert.That(File.Exists(db) || Directory.Exists(Path.Combine(Folder, "out")), Is.False, "no store or output is created");
    }

    [Test]
    public async Task Default_trainers_on_negative_labels_print_the_line_once_and_every_trial_completes()
    {
        var db = Path.Combine(Folder, "studies.db");
        var settings = Settings(Csv("tune.csv", 300, offset: 0), [], trials: 10);
        var log = new StringWriter();
        ITrialStore? runStore = null;

        var exit = await StudyRunner.RunAsync(settings, () => runStore = StoreLocation.Open(db, null, db), new RunOptions { StudyName = "neg", OutputFolder = Path.Combine(Folder, "out"), WriteSettings = true }, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log) }), CancellationToken.None);
        (runStore as IDisposable)?.Dispose();

        var output = Regex.Replace(log.ToString(), @"\x1b\[[0-9;]*m", "");
        Assert.That(exit, Is.EqualTo(ExitCodes.Success), output);
        var flat = string.Join(" ", output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.That(flat, Does.Contain($"note: {Poisson} is left out of the default trainers: it needs non-negative labels (>= 0), and the smallest value of the label 'y' is"));
        Assert.That(output.Split(Poisson).Length - 1, Is.EqualTo(1), "one line, and no trial of it");
        using var store = (IDisposable)StoreLocation.Open(db, null, db, mustExist: true, readOnly: true);
        var trials = ((ITrialStore)store).Load("neg");
        Assert.That(trials, Has.Count.EqualTo(10));
        Assert.That(trials.Select(t => t.State), Has.All.EqualTo(TrialState.Completed), string.Join("\n", trials.Select(t => t.Error)));
        Assert.That(trials.Select(t => t.Attributes["trainer"]), Has.None.EqualTo(Poisson));
    }

    private static TuneSettings Settings(string path, IReadOnlyList<string> trainers, int trials) => new TuneSettings
    {
        DataPath = path,
        LabelColumn = "y",
        Task = "regression",
        Trainers = trainers,
        Tuner = "auto",
        Seed = 1,
        ValidationFraction = 0.2,
        Trials = trials,
    }.WithDataFingerprint();
}
