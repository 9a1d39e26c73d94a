using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.Storage;
using MLNetTuning.Studies;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `portfolio --trials 30 --rows 1500 --test-rows 1000 --seeds 2 --tasks binary,multiclass,regression --out out/portfolio.json`:
/// does the shipped default portfolio (issue 20, item 4) pay on data it was not built from? Per data set of
/// <see cref="PortfolioData"/> and seed, the CLI runs twice with the same --seed and a fixed trial budget (trials, not
/// seconds, so the result does not depend on the machine's load): cold (`tune --tuner auto`, the CLI's default) and
/// `tune --tuner auto --portfolio default`. Each arm is the real tool in a child process, with a separate test file.
/// Read off per arm: the best validation metric after 5, 10, 20 and 30 trials (from the study's trials in studies.db,
/// in trial order) and the test metric of the final best model (summary.json). The summary gives portfolio − cold,
/// paired by data set and seed, signed so that a positive difference means the portfolio did better.
/// </summary>
public sealed class PortfolioCommand : IBenchmarkCommand
{
    private static readonly string[] Arms = ["cold", "portfolio"];

    public string Name => "portfolio";

    public string Summary => "the shipped default portfolio against a cold start on data it was not built from: --trials 30 --budgets 5,10,20,30 --rows 1500 --test-rows 1000 --seeds 2 --tasks binary,multiclass,regression --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var trials = arguments.Int("trials", 30);
        var budgets = arguments.String("budgets", "5,10,20,30").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToList();
        var rows = arguments.Int("rows", 1500);
        var testRows = arguments.Int("test-rows", 1000);
        var seeds = arguments.Int("seeds", 2);
        var taskNames = arguments.String("tasks", "binary,multiclass,regression").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var output = arguments.String("out", "out/portfolio.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(trials >= 1, "trials", trials, "at least 1");
        BenchmarkArguments.Require(budgets.Count > 0 && budgets.All(b => b >= 1 && b <= trials), "budgets", string.Join(",", budgets), $"each between 1 and --trials {trials}");
        BenchmarkArguments.Require(rows >= 100, "rows", rows, "at least 100");
        BenchmarkArguments.Require(testRows >= 100, "test-rows", testRows, "at least 100");
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "at least 1");
        var known = PortfolioData.All.Select(d => d.Task).Distinct().ToList();
        BenchmarkArguments.Require(taskNames.Length > 0 && taskNames.All(known.Contains), "tasks", string.Join(",", taskNames), $"a comma-separated list of {string.Join(", ", known)}");
        var dataSets = PortfolioData.All.Where(d => taskNames.Contains(d.Task)).ToList();

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var folder = Path.Combine(Path.GetTempPath(), "mlnettuning-portfolio-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        try
        {
            var runs = new List<JsonObject>();
            Console.WriteLine($"{"data set",-28}{"seed",5}{"arm",11}" + string.Concat(budgets.Select(b => $"{"best@" + b,10}")) + $"{"test",10}{"done",6}{"enq",5}{"sec",7}  best trainer");
            for (var seed = 1; seed <= seeds; seed++)
            {
                for (var index = 0; index < dataSets.Count; index++)
                {
                    var dataSet = dataSets[index];
                    // Data seeds 5000 and up: none of the build's seeds (101–302), and another draw per data set and seed.
                    var dataSeed = 5000 + (100 * PortfolioData.All.ToList().IndexOf(dataSet)) + seed;
                    var (train, test) = WriteSplit(folder, dataSet, rows, testRows, dataSeed);
                    foreach (var arm in Arms)
                    {
                        var run = RunOnce(train, test, Path.Combine(folder, $"run-{runs.Count}"), dataSet.Task, arm == "portfolio", trials, budgets, tunerSeed: seed);
                        run["data_set"] = dataSet.Name;
                        run["task"] = dataSet.Task;
                        run["seed"] = seed;
                        run["data_seed"] = dataSeed;
                        run["arm"] = arm;
                        runs.Add(run);
                        var bestAt = string.Concat(budgets.Select(b => string.Create(CultureInfo.InvariantCulture, $"{Number(run["best_at"]![b.ToString(CultureInfo.InvariantCulture)]),10:F4}")));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{dataSet.Name,-28}{seed,5}{arm,11}{bestAt}{Number(run["test"]),10:F4}{(int)run["completed"]!,6}{(int)run["enqueued_trials"]!,5}{Number(run["seconds"]),7:F0}  {run["best_trainer"]}{((bool)run["best_enqueued"]! ? " (portfolio entry)" : "")}"));
                    }

                    // Written after every pair, so a run stopped early keeps the pairs it finished.
                    WriteJson(Summarise(runs, budgets, dataSets, seeds, print: false));
                }
            }

            var summary = Summarise(runs, budgets, dataSets, seeds, print: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {clock.Elapsed.TotalMinutes:F1} min for {runs.Count} runs of {trials} trials, {rows} training and {testRows} test rows"));
            WriteJson(summary);
            Console.WriteLine($"wrote {output}");
            return 0;

            void WriteJson(JsonObject summary) => File.WriteAllText(output, new JsonObject
            {
                ["trials"] = trials,
                ["budgets"] = new JsonArray([.. budgets.Select(b => (JsonNode)b)]),
                ["rows"] = rows,
                ["test_rows"] = testRows,
                ["seeds"] = seeds,
                ["data_sets"] = new JsonArray([.. dataSets.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["task"] = d.Task, ["rule"] = d.Description })]),
                ["summary"] = summary,
                ["runs"] = new JsonArray([.. runs.Select(r => r.DeepClone())]), // Copies: the file is written after every pair and a node has one parent.
                ["minutes"] = Math.Round(clock.Elapsed.TotalMinutes, 2),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Per budget and for the test metric: portfolio − cold paired by data set and seed, signed so that positive
    /// means the portfolio did better, over all tasks and per task (metrics differ by task: AUC, micro-accuracy, R²).</summary>
    private static JsonObject Summarise(List<JsonObject> runs, List<int> budgets, List<PortfolioDataSet> dataSets, int seeds, bool print)
    {
        var readings = budgets.Select(b => ("best@" + b.ToString(CultureInfo.InvariantCulture), (Func<JsonObject, double>)(r => Number(r["best_at"]![b.ToString(CultureInfo.InvariantCulture)]))))
            .Append(("test", r => Number(r["test"])))
            .ToList();
        var groups = new[] { ("all", dataSets.Select(d => d.Task).Distinct().ToArray()) }
            .Concat(dataSets.Select(d => d.Task).Distinct().Select(t => (t, new[] { t })))
            .ToList();
        if (print)
        {
            Console.WriteLine("portfolio − cold, paired by data set and seed (positive: the portfolio is better), mean ± standard error, wins/ties/losses:");
        }

        var summary = new JsonObject();
        foreach (var (group, tasks) in groups)
        {
            var groupSummary = new JsonObject();
            var line = new StringBuilder($"  {group,-11}");
            foreach (var (reading, value) in readings)
            {
                var differences = new List<double>();
                foreach (var dataSet in dataSets.Where(d => tasks.Contains(d.Task)))
                {
                    for (var seed = 1; seed <= seeds; seed++)
                    {
                        var cold = runs.SingleOrDefault(r => (string)r["data_set"]! == dataSet.Name && (int)r["seed"]! == seed && (string)r["arm"]! == "cold");
                        var portfolio = runs.SingleOrDefault(r => (string)r["data_set"]! == dataSet.Name && (int)r["seed"]! == seed && (string)r["arm"]! == "portfolio");
                        if (cold is null || portfolio is null)
                        {
                            continue; // A pair not run yet (the file written while the benchmark runs).
                        }

                        var sign = (string?)cold["direction"] == "minimize" ? -1 : 1;
                        differences.Add(sign * (value(portfolio) - value(cold)));
                    }
                }

                var finite = differences.Where(double.IsFinite).ToList();
                var mean = finite.Count == 0 ? double.NaN : finite.Average();
                var (wins, ties, losses) = (finite.Count(d => d > 0), finite.Count(d => d == 0), finite.Count(d => d < 0));
                // Rounded first: a difference under 0.00005 would print as "-+0.0000" through the negative section.
                line.Append(string.Create(CultureInfo.InvariantCulture, $"  {reading} {Math.Round(mean, 4) + 0.0:+0.0000;-0.0000;0.0000} ± {Statistics.StandardError(finite):0.0000} ({wins}/{ties}/{losses})"));
                groupSummary[reading] = new JsonObject
                {
                    ["mean"] = double.IsFinite(mean) ? mean : null,
                    ["standard_error"] = Statistics.StandardError(finite),
                    ["pairs"] = finite.Count,
                    ["portfolio_wins"] = wins,
                    ["ties"] = ties,
                    ["cold_wins"] = losses,
                    ["differences"] = new JsonArray([.. differences.Select(d => (JsonNode?)(double.IsFinite(d) ? d : null))]),
                };
            }

            if (print)
            {
                Console.WriteLine(line);
            }

            summary[group] = groupSummary;
        }

        return summary;
    }

    private static double Number(JsonNode? node) => node is null ? double.NaN : (double)node;

    /// <summary>Training and test rows from one stream of the data set's rule, so the test rows are new draws of it.</summary>
    private static (string Train, string Test) WriteSplit(string folder, PortfolioDataSet dataSet, int rows, int testRows, int seed)
    {
        var all = Path.Combine(folder, $"{dataSet.Name}-{seed}-all.csv");
        dataSet.Write(all, rows + testRows, seed);
        var lines = File.ReadAllLines(all);
        var train = Path.Combine(folder, $"{dataSet.Name}-{seed}-train.csv");
        var test = Path.Combine(folder, $"{dataSet.Name}-{seed}-test.csv");
        File.WriteAllLines(train, lines.Take(rows + 1));
        File.WriteAllLines(test, lines.Take(1).Concat(lines.Skip(rows + 1)));
        return (train, test);
    }

    /// <summary>One `mlnet-tune tune` run, as a user types it; the best validation metric after each budget is read from
    /// the study's completed trials in trial order (the best by the study's loss, reported in the metric's units).</summary>
    private static JsonObject RunOnce(string train, string test, string output, string task, bool portfolio, int trials, List<int> budgets, int tunerSeed)
    {
        var arguments = new List<string> { "tune", "--data", train, "--test-data", test, "--label", "label", "--task", task, "--tuner", "auto", "--trials", trials.ToString(CultureInfo.InvariantCulture), "--seed", tunerSeed.ToString(CultureInfo.InvariantCulture), "--output", output };
        if (portfolio)
        {
            arguments.AddRange(["--portfolio", "default"]);
        }

        var clock = Stopwatch.StartNew();
        var (exitCode, text) = MlnetTuneProcess.Run(arguments);
        var summaryPath = Path.Combine(output, "summary.json");
        if (exitCode != 0 || !File.Exists(summaryPath))
        {
            throw new InvalidOperationException($"mlnet-tune {string.Join(' ', arguments)} exited with {exitCode}:\n{text}");
        }

        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!;
        List<TuningTrial> studyTrials;
        using (var store = SqliteTrialStore.OpenReadOnly(Path.Combine(output, "studies.db")))
        {
            studyTrials = store.Load((string)summary["study"]!).OrderBy(t => t.Id).ToList();
        }

        var bestAt = new JsonObject();
        foreach (var budget in budgets)
        {
            var best = studyTrials.Take(budget).Where(t => t.State == TrialState.Completed && t.Loss is not null && t.Value is not null).MinBy(t => t.Loss!.Value);
            bestAt[budget.ToString(CultureInfo.InvariantCulture)] = best?.Value;
        }

        return new JsonObject
        {
            ["metric"] = (string?)summary["metric"],
            ["direction"] = (string?)summary["direction"],
            ["best_at"] = bestAt,
            ["test"] = (double?)summary["test"]?["metric"],
            ["validation"] = (double?)summary["best"]?["value"],
            ["trials"] = studyTrials.Count,
            ["completed"] = studyTrials.Count(t => t.State == TrialState.Completed),
            // Trials the portfolio ran (marked "enqueued"), and whether the final best is one of them.
            ["enqueued_trials"] = studyTrials.Count(t => t.Attributes.ContainsKey("enqueued")),
            ["best_enqueued"] = studyTrials.SingleOrDefault(t => t.Id == (int?)summary["best"]?["trial"])?.Attributes.ContainsKey("enqueued") ?? false,
            ["best_trainer"] = (string?)summary["best"]?["trainer"],
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
    }
}
