using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MLNetTuning.Tests.Cli.Generation;

namespace MLNetTuning.Tests.Samples;

/// <summary>
/// Every sample under samples/ as a user runs it: <c>dotnet build</c> its training project, run it (it makes its
/// data, tunes with the library and saves the model into the consumption library), then build and run the
/// consumption console, which predicts through the generated layout's <c>Predict</c>. The two runs together must
/// finish within two minutes (the CI budget of a sample); the builds are timed apart.
/// </summary>
[NonParallelizable]
public class SamplesRunTests
{
    private static readonly TimeSpan RunBudget = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    [Test]
    public void LoanDefault_tunes_three_trainers_and_its_console_tells_a_risky_loan_from_a_safe_one()
    {
        var (training, console) = RunSample("LoanDefault", "LoanDefault.Training", "LoanModel");

        Assert.That(Metric(training, "Test AreaUnderRocCurve"), Is.GreaterThanOrEqualTo(0.85));
        var predictions = Regex.Matches(console, @"Predicted Defaulted: (True|False) \(score -?\d+\.\d{4}, probability (\d\.\d{4})\)");
        Assert.That(predictions, Has.Count.EqualTo(2), console);
        Assert.That(predictions[0].Groups[1].Value, Is.EqualTo("True"), "the risky applicant");
        Assert.That(predictions[1].Groups[1].Value, Is.EqualTo("False"), "the safe applicant");
        Assert.That(Number(predictions[0].Groups[2].Value), Is.GreaterThan(Number(predictions[1].Groups[2].Value)));
    }

    [Test]
    public void BikeDemand_tunes_a_regression_with_tpe_and_its_console_predicts_more_rentals_at_rush_hour_than_at_night()
    {
        var (training, console) = RunSample("BikeDemand", "BikeDemand.Training", "BikeDemandModel");

        Assert.That(Metric(training, "Test RSquared"), Is.GreaterThanOrEqualTo(0.8));
        var rushHour = Number(Regex.Match(console, @"Tuesday 08:00.*: predicted Rentals: (-?\d+\.\d)").Groups[1].Value);
        var night = Number(Regex.Match(console, @"Sunday 03:00.*: predicted Rentals: (-?\d+\.\d)").Groups[1].Value);
        Assert.That(rushHour, Is.GreaterThan(100).And.GreaterThan(5 * night), console);
    }

    [Test]
    public void ActivityRecognition_tunes_a_network_with_hyperband_and_its_console_predicts_without_libtorch()
    {
        var (training, console) = RunSample("ActivityRecognition", "ActivityRecognition.Training", "ActivityModel");

        // Hyperband's rungs: many trials at 1 epoch and, after promotions, a few at the full 27.
        Assert.That(training, Does.Contain("NeuralNetwork: 1 epochs at budget 1").And.Contain("NeuralNetwork: 27 epochs at budget 27"));
        Assert.That(Metric(training, "Test MicroAccuracy"), Is.GreaterThanOrEqualTo(0.85));
        Assert.That(Regex.Matches(console, @"predicted Activity: (\w+)").Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "cycling", "running" }), console);
        Assert.That(Regex.Matches(console, @"^  (sitting|walking|running|cycling): (\d\.\d{4})", RegexOptions.Multiline), Has.Count.EqualTo(8), console);
    }

    [Test]
    public void SupportTickets_tunes_sdca_lightgbm_and_a_network_on_featurized_text_and_its_console_routes_messages()
    {
        var (training, console) = RunSample("SupportTickets", "SupportTickets.Training", "TicketModel");

        foreach (var trainer in new[] { "SdcaMaximumEntropy", "LightGbm", "NeuralNetwork" })
        {
            Assert.That(training, Does.Match($@"completed in .*\); {trainer}"), $"no {trainer} trial completed");
        }

        Assert.That(Metric(training, "Test MicroAccuracy"), Is.GreaterThanOrEqualTo(0.8));
        Assert.That(Regex.Matches(console, @"predicted Team: (\w+)").Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "shipping", "account" }), console);
    }

    /// <summary>Builds and runs the training, then builds and runs the console; returns both outputs.</summary>
    private static (string Training, string Console) RunSample(string sample, string trainingProject, string model)
    {
        var folder = Path.Combine(RepositoryFiles.RepositoryRoot(), "samples", sample);
        var modelFile = Path.Combine(folder, model, model + ".zip");
        File.Delete(modelFile); // the console must predict with the model this run tunes,
        var data = Path.Combine(folder, "data");
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true); // on the data the training makes now
        }

        Build(Path.Combine(folder, trainingProject));
        var clock = Stopwatch.StartNew();
        var training = Dotnet(RunBudget, folder, Output(folder, trainingProject));
        TestContext.Out.WriteLine(training.Output);
        Assert.That(training.ExitCode, Is.EqualTo(0), training.Output);
        Assert.That(File.Exists(modelFile), $"{trainingProject} did not save {modelFile}");
        var trainingTime = clock.Elapsed;

        var consoleProject = model + ".ConsoleApp";
        Build(Path.Combine(folder, consoleProject));
        var remaining = RunBudget - trainingTime;
        clock.Restart();
        var console = Dotnet(remaining, folder, Output(folder, consoleProject));
        TestContext.Out.WriteLine(console.Output);
        Assert.That(console.ExitCode, Is.EqualTo(0), console.Output);
        TestContext.Out.WriteLine($"measured: training {trainingTime.TotalSeconds:F1} s, console {clock.Elapsed.TotalSeconds:F1} s (budget {RunBudget.TotalSeconds} s together)");
        return (training.Output, console.Output);
    }

    private static void Build(string project)
    {
        var build = Dotnet(BuildTimeout, project, "build", project, "-c", "Release");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output);
    }

    private static string Output(string folder, string project) =>
        Path.Combine(folder, project, "bin", "Release", "net10.0", project + ".dll");

    /// <summary>The value after "NAME: " in the training's output.</summary>
    private static double Metric(string output, string name)
    {
        var match = Regex.Match(output, Regex.Escape(name) + @": (-?\d+\.\d+)");
        Assert.That(match.Success, $"no '{name}' in the output:\n{output}");
        var value = Number(match.Groups[1].Value);
        TestContext.Out.WriteLine($"measured: {name} {value}");
        return value;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static (int ExitCode, string Output) Dotnet(TimeSpan timeout, string folder, params string[] args) =>
        DotnetProcess.Run(timeout, folder, environment: null, args);
}
