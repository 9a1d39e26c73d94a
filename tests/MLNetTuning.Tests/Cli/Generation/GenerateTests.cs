using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MLNetTuning.Tests.BadInput;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Cli.Generation;

/// <summary>
/// <c>mlnet-tune generate</c>: a tuned loan study written as a solution, built with <c>dotnet build</c> (packages from
/// the local NuGet cache, no download), its console run; retraining with the generated <c>BuildPipeline</c> on the
/// study's split reproduces the study's best validation metric.
/// </summary>
[NonParallelizable]
public class GenerateTests : TempFolderTest
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);
    private string Out => Path.Combine(Folder, "out");

    private string Db => Path.Combine(Out, "studies.db");

    private string[] Tune(params string[] more) =>
        ["tune", "--data", RepositoryFiles.Loans, "--label", "approved", "--task", "binary", "--output", Out, .. more];

    // FastTree with one thread-independent algorithm and the trial's seed is deterministic, so the retrained metric
    // must equal the study's to 1e-6 (the deterministic case of the issue; SDCA/SGD would get 0.005).
    [Test]
    public void A_generated_fast_tree_solution_builds_predicts_and_reproduces_the_best_trial_within_1e6()
    {
        var tune = CliProcess.Run(Minutes, null, Tune("--trainers", "FastTree", "--trials", "3", "--tuner", "tpe"));
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Out, "summary.json")))!;
        var studyValue = (double)summary["best"]!["value"]!;

        var solution = Path.Combine(Folder, "gen");
        var generate = CliProcess.Run(Minutes, null, "generate", "--from", Path.Combine(Out, "summary.json"), "--out", solution, "--name", "LoanModel");
        Assert.That(generate.ExitCode, Is.EqualTo(0), generate.Output + generate.Error);
        TestContext.Out.WriteLine(generate.Output);
        foreach (var file in new[] { "LoanModel.slnx", "LoanModel/LoanModel.csproj", "LoanModel/LoanModel.consumption.cs", "LoanModel/LoanModel.training.cs", "LoanModel/LoanModel.evaluate.cs", "LoanModel/LoanModel.zip", "LoanModel/LoanModel.mltune", "LoanModel.ConsoleApp/Program.cs" })
        {
            Assert.That(File.Exists(Path.Combine(solution, file)), file);
        }

        var training = File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.training.cs"));
        Assert.That(training, Does.Contain("mlContext.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options").And.Not.Contain("MLNetTuning"));
        var parameters = summary["best"]!["parameters"]!["FastTree"]!;
        var trees = (int)parameters["NumberOfTrees"]!;
        var rate = (double)parameters["LearningRate"]!;
        Assert.That(training, trees == 100 ? Does.Not.Contain("NumberOfTrees") : Does.Contain($"NumberOfTrees = {trees},"));
        Assert.That(training, Does.Contain(string.Create(CultureInfo.InvariantCulture, $"LearningRate = {rate:R}d,")));
        var project = File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.csproj"));
        var mlNetVersion = typeof(Microsoft.ML.MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Assert.That(project, Does.Contain($"Include=\"Microsoft.ML\" Version=\"{mlNetVersion}\"").And.Not.Contain("MLNetTuning"));
        var consumption = File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.consumption.cs"));
        Assert.That(consumption, Does.Contain("[LoadColumn(2)]").And.Contain("[ColumnName(\"credit_score\")]").And.Contain("public float CreditScore"));

        var build = Run(TimeSpan.FromMinutes(8), solution, "build", Path.Combine(solution, "LoanModel.slnx"), "-c", "Release");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output);

        var console = Path.Combine(solution, "LoanModel.ConsoleApp", "bin", "Release", ModelFramework, "LoanModel.ConsoleApp.dll");
        var run = Run(Minutes, solution, console, "--evaluate", RepositoryFiles.Loans);
        TestContext.Out.WriteLine(run.Output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Match(@"Predicted approved: (yes|no) \(score -?\d+\.\d{4}, probability \d\.\d{4}\)"));
        var retrained = double.Parse(Regex.Match(run.Output, @"Retrained AreaUnderRocCurve: (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"measured: study {studyValue:R}, retrained {retrained:R}, difference {Math.Abs(retrained - studyValue):E2}");
        Assert.That(retrained, Is.EqualTo(studyValue).Within(1e-6));
        Assert.That(run.Output, Does.Match(@"importance of (age|income|credit_score|debt_ratio|employment|owns_home|purpose|loan_amount)"));
    }

    // The tolerance says which case applies: 1e-6 where the trainer is deterministic with its settings and seed
    // (L-BFGS, FastTree), 0.005 for SDCA, which ML.NET documents as not deterministic when multi-threaded.
    [TestCase("multiclass", "employment", "LbfgsMaximumEntropy", "MicroAccuracy", 1e-6, TestName = "Multiclass L-BFGS (deterministic, 1e-6) with PredictAllLabels")]
    [TestCase("multiclass", "employment", "FastTree", "MicroAccuracy", 1e-6, TestName = "Multiclass one-versus-all FastTree (deterministic, 1e-6)")]
    [TestCase("binary", "approved", "SdcaLogisticRegression", "AreaUnderRocCurve", 0.005, TestName = "Binary SDCA (multi-threaded, 0.005)")]
    [TestCase("regression", "income", "FastTree", "RSquared", 1e-6, TestName = "Regression FastTree (deterministic, 1e-6)")]
    public void A_generated_solution_of_each_task_builds_and_reproduces_the_best_trial(string task, string label, string trainer, string metric, double tolerance)
    {
        var tune = CliProcess.Run(Minutes, null, "tune", "--data", RepositoryFiles.Loans, "--label", label, "--task", task, "--output", Out, "--trainers", trainer, "--trials", "2", "--tuner", "random");
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);
        var studyValue = (double)JsonNode.Parse(File.ReadAllText(Path.Combine(Out, "summary.json")))!["best"]!["value"]!;
        var solution = Path.Combine(Folder, "gen");
        var generate = CliProcess.Run(Minutes, null, "generate", "--from", Path.Combine(Out, "summary.json"), "--out", solution, "--name", "LoanModel");
        Assert.That(generate.ExitCode, Is.EqualTo(0), generate.Output + generate.Error);

        var build = Run(TimeSpan.FromMinutes(8), solution, "build", Path.Combine(solution, "LoanModel.slnx"), "-c", "Release");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output);
        var run = Run(Minutes, solution, Path.Combine(solution, "LoanModel.ConsoleApp", "bin", "Release", ModelFramework, "LoanModel.ConsoleApp.dll"), "--evaluate", RepositoryFiles.Loans);
        TestContext.Out.WriteLine(run.Output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain($"Predicted {label}: "));
        if (task == "multiclass")
        {
            // PredictAllLabels: every class with a score, best first.
            var scores = Regex.Matches(run.Output, @"^  ([\w-]+): (\d\.\d{4})$", RegexOptions.Multiline).Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.That(scores, Has.Count.GreaterThanOrEqualTo(2).And.Ordered.Descending);
        }

        var retrained = double.Parse(Regex.Match(run.Output, $@"Retrained {metric}: (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"measured: {trainer} study {studyValue:R}, retrained {retrained:R}, difference {Math.Abs(retrained - studyValue):E2} (tolerance {tolerance})");
        Assert.That(retrained, Is.EqualTo(studyValue).Within(tolerance));
    }

    [Test]
    public void Tune_with_the_generated_config_runs_a_new_study_proposing_the_same_parameters()
    {
        var tune = CliProcess.Run(Minutes, null, Tune("--trainers", "LbfgsLogisticRegression", "--trials", "3", "--tuner", "tpe", "--seed", "7", "--study", "first"));
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);
        var solution = Path.Combine(Folder, "gen");
        var generate = CliProcess.Run(Minutes, null, "generate", "--study", "first", "--storage", Db, "--out", solution, "--name", "LoanModel");
        Assert.That(generate.ExitCode, Is.EqualTo(0), generate.Output + generate.Error);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(solution, "LoanModel", "LoanModel.mltune")))!;
        Assert.That((int)config["seed"]!, Is.EqualTo(7));
        Assert.That((string)config["tuner"]!, Is.EqualTo("tpe"));

        var replay = CliProcess.Run(Minutes, null, "tune", "--config", Path.Combine(solution, "LoanModel", "LoanModel.mltune"), "--output", Out);
        Assert.That(replay.ExitCode, Is.EqualTo(0), replay.Output + replay.Error);
        Assert.That(replay.Output, Does.Contain("'first-2'"));
        var first = CliProcess.Run(Minutes, null, "trials", "--storage", Db, "--study", "first", "--format", "csv");
        var second = CliProcess.Run(Minutes, null, "trials", "--storage", Db, "--study", "first-2", "--format", "csv");
        Assert.That(Parameters(second.Output), Is.EqualTo(Parameters(first.Output)).And.Count.EqualTo(3));
    }

    [Test]
    public void Generate_names_the_problem_with_a_missing_study_or_a_bad_name()
    {
        var tune = CliProcess.Run(Minutes, null, Tune("--trainers", "LbfgsLogisticRegression", "--trials", "1", "--study", "s"));
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);

        var missing = CliProcess.Run(Minutes, null, "generate", "--study", "nope", "--storage", Db, "--out", Path.Combine(Folder, "g"));
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Error, Does.Contain("Study 'nope' is not in").And.Contain("s"));

        var badName = CliProcess.Run(Minutes, null, "generate", "--study", "s", "--storage", Db, "--out", Path.Combine(Folder, "g"), "--name", "loan model");
        Assert.That(badName.ExitCode, Is.EqualTo(2));
        Assert.That(badName.Error, Does.Contain("--name 'loan model' must be a C# identifier"));

        var noStudy = CliProcess.Run(Minutes, null, "generate", "--out", Path.Combine(Folder, "g"));
        Assert.That(noStudy.ExitCode, Is.EqualTo(2));
        Assert.That(noStudy.Error, Does.Contain("--study NAME").And.Contain("--from summary.json"));
    }

    [Test]
    public void Generate_refuses_a_pbt_study_and_says_why()
    {
        var tune = CliProcess.Run(Minutes, null, Tune("--trainers", "AveragedPerceptron", "--trials", "2", "--tuner", "pbt"));
        Assert.That(tune.ExitCode, Is.EqualTo(0), tune.Output + tune.Error);

        var generate = CliProcess.Run(Minutes, null, "generate", "--from", Path.Combine(Out, "summary.json"), "--out", Path.Combine(Folder, "g"));
        Assert.That(generate.ExitCode, Is.EqualTo(2));
        Assert.That(generate.Error, Does.Contain("cannot write a PBT study's winner").And.Contain("no single configuration").And.Contain("does not write the chain of intervals"));
        Assert.That(generate.Error, Does.Not.Contain("   at "), "a message, not a stack trace");
        Assert.That(Directory.Exists(Path.Combine(Folder, "g")), Is.False);
    }

    private static string ModelFramework => DotnetProcess.ModelFramework;

    /// <summary>Trial rows without their timing and worker columns: the parameters and values.</summary>
    private static List<string> Parameters(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Skip(1)
        .Select(line => line.Split(','))
        .Select(cells => string.Join(",", cells.Take(3).Concat(cells.Skip(6))))
        .ToList();

    private static (int ExitCode, string Output) Run(TimeSpan timeout, string folder, params string[] args) => DotnetProcess.Run(timeout, folder, null, args);
}
