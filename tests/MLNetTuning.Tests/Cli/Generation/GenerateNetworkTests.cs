using System.Globalization;
using System.Text.RegularExpressions;
using MLNetTuning.Cli.Commands;
using MLNetTuning.Cli.Running;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.BadInput;
using Spectre.Console;

namespace MLNetTuning.Tests.Cli.Generation;

/// <summary>
/// <c>generate</c> for a study whose best trial is one of our networks: the study runs as <c>tune</c> runs it (its
/// runner, a SQLite store, the network preset named in its settings), two small networks enqueued so that training
/// takes seconds. The generated library references MLNetTuning.TorchSharp and TorchSharp-cpu; the test packs the
/// MLNetTuning packages into a folder feed and restores from it into a private packages folder (third-party packages
/// from the usual cache, no download), as a user adds a feed. The network trains with a fixed seed on the CPU, so
/// retraining with the generated BuildPipeline on the study's split must give the study's value to 1e-6.
/// </summary>
[NonParallelizable]
public class GenerateNetworkTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(8);

    [Test]
    public async Task A_network_winner_is_written_as_code_builds_from_the_package_feed_predicts_and_reproduces_the_study_within_1e6()
    {
        var db = Path.Combine(Folder, "studies.db");
        var settings = new TuneSettings
        {
            DataPath = RepositoryFiles.Loans,
            LabelColumn = "approved",
            Task = "binary",
            Trainers = ["NeuralNetwork"],
            Tuner = "random",
            Metric = "AreaUnderRocCurve",
            Seed = 3,
            ValidationFraction = 0.2,
            Trials = 2,
        }.WithDataFingerprint();
        var small = "{\"NeuralNetwork\": {\"HiddenLayers\": 1, \"Units\": 16, \"Epochs\": 12, \"BatchSize\": 32, \"LearningRate\": LR}}";
        var options = new RunOptions
        {
            StudyName = "nn",
            OutputFolder = Path.Combine(Folder, "out"),
            WriteSettings = true,
            Transfer = new TransferRequest { Points = [("test", small.Replace("LR", "0.003")), ("test", small.Replace("LR", "0.03"))], OwnStore = (db, null, db) },
        };
        var log = new StringWriter();
        ITrialStore? runStore = null;
        var exit = await StudyRunner.RunAsync(settings, () => runStore = StoreLocation.Open(db, null, db), options, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log) }), CancellationToken.None);
        (runStore as IDisposable)?.Dispose();
        Assert.That(exit, Is.EqualTo(0), log.ToString());

        TuneSettings stored;
        TuningTrial best;
        using (var store = (IDisposable)StoreLocation.Open(db, null, db, mustExist: true, readOnly: true))
        {
            var trials = (ITrialStore)store;
            stored = TuneSettings.FromJson(trials.FindStudy("nn")!.Attributes[TuneSettings.AttributeKey]);
            var completed = trials.Load("nn").Where(t => t.State == TrialState.Completed).ToList();
            Assert.That(completed, Has.Count.EqualTo(2), log.ToString());
            best = completed.OrderBy(t => t.Loss).ThenBy(t => t.Id).First();
        }

        Assert.That(best.Attributes["trainer"], Is.EqualTo("NeuralNetwork"));
        var studyValue = best.Value!.Value;
        var solution = Path.Combine(Folder, "gen");
        GenerateCommand.Generate(stored, "nn", best, solution, "LoanModel", CancellationToken.None);

        var training = File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.training.cs"));
        TestContext.Out.WriteLine(training);
        Assert.That(training, Does.Contain("using MLNetTuning.TorchSharp;").And.Contain("mlContext.BinaryClassification.Trainers.NeuralNetwork(new NeuralNetworkBinaryTrainer.Options"));
        Assert.That(training, Does.Contain("HiddenLayerSizes = new int[] { 16 },").And.Contain("NumberOfEpochs = 12,"));
        Assert.That(training, Does.Match(best.Id == 0 ? @"LearningRate = 0\.00(3|29)\d*d," : @"LearningRate = 0\.0(3|29)\d*d,"));
        Assert.That(training, Does.Match(@"Seed = -?\d+,"), "the seed the trainer drew from the trial's context is stated");
        var project = File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.csproj"));
        Assert.That(project, Does.Contain("Include=\"MLNetTuning.TorchSharp\" Version=\"0.1.0\"").And.Contain("Include=\"TorchSharp-cpu\""));
        Assert.That(File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.consumption.cs")), Does.Contain("mlContext.Model.LoadTunedModel(MLNetModelPath, out _)"));

        var environment = PackageFeed();
        var restore = DotnetProcess.Run(Minutes, solution, environment, "restore", Path.Combine(solution, "LoanModel.slnx"), "--configfile", Path.Combine(Folder, "nuget.config"));
        Assert.That(restore.ExitCode, Is.EqualTo(0), restore.Output);
        var build = DotnetProcess.Run(Minutes, solution, environment, "build", Path.Combine(solution, "LoanModel.slnx"), "-c", "Release", "--no-restore");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output);

        var console = Path.Combine(solution, "LoanModel.ConsoleApp", "bin", "Release", DotnetProcess.ModelFramework, "LoanModel.ConsoleApp.dll");
        var run = DotnetProcess.Run(Minutes, solution, environment, console, "--evaluate", RepositoryFiles.Loans);
        TestContext.Out.WriteLine(run.Output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Match(@"Predicted approved: (yes|no) \(score -?\d+\.\d{4}, probability \d\.\d{4}\)"));
        var retrained = double.Parse(Regex.Match(run.Output, @"Retrained AreaUnderRocCurve: (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"measured: network study {studyValue:R}, retrained {retrained:R}, difference {Math.Abs(retrained - studyValue):E2}");
        Assert.That(retrained, Is.EqualTo(studyValue).Within(1e-6));

        // ML.NET's PFI reads only its own predictors; the network's is computed per column of the data.
        Assert.That(run.Output, Does.Match(@"importance of (age|income|credit_score|debt_ratio|employment|owns_home|purpose|loan_amount): -?\d\.\d{4}"));
    }

    /// <summary>Packs MLNetTuning, its scoring package and MLNetTuning.TorchSharp (as built for this test run) into a
    /// folder feed, and writes a nuget.config that takes MLNetTuning from it and the rest from the usual cache; returns
    /// the environment that points restores at a private packages folder, so no MLNetTuning package reaches the cache.</summary>
    private Dictionary<string, string> PackageFeed()
    {
        var feed = Path.Combine(Folder, "feed");
        var packages = Path.Combine(Folder, "packages");
        var root = RepositoryFiles.RepositoryRoot();
        foreach (var name in new[] { "MLNetTuning", "MLNetTuning.TorchSharp.Scoring", "MLNetTuning.TorchSharp" })
        {
            var pack = DotnetProcess.Run(Minutes, root, null, "pack", Path.Combine(root, "src", name, name + ".csproj"), "-c", "Release", "--no-build", "-o", feed, "-p:IncludeSymbols=false");
            Assert.That(pack.ExitCode, Is.EqualTo(0), pack.Output);
        }

        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(Folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local-feed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="user-cache" value="{cache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        return new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
    }
}
