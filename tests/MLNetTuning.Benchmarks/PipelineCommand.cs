using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `pipeline --seconds 300 --seeds 5 --rows 40000 --features 30 --tuners auto,tpe,random --out out/pipeline.json`:
/// the CLI's default run (`mlnet-tune tune` with its default trainers) on generated binary data, once per tuner and
/// seed, and the test metric of each side by side with standard errors over the seeds. Per seed, a training file
/// and a separate test file are generated (the timebudget benchmark's noisy rule of ten features and one
/// interaction), so every tuner of a seed is scored on the same test rows; each tuner gets its own seed stream.
/// Each run also gives a cost reading: the mean seconds of a completed trial, the ratio of the slowest to the
/// fastest quarter of them, and how many proposals weighed predicted cost (the GP's attribute gp.cost).
/// A tuner may carry options as NAME:OPTION=VALUE[:OPTION=VALUE] (passed as --tuner-option), e.g.
/// `--tuners gp,gp:CostAware=false`; such a variant gets its tuner's seed stream, so the two differ only by the option.
/// </summary>
public sealed class PipelineCommand : IBenchmarkCommand
{
    private const int Width = 20;

    public string Name => "pipeline";

    public string Summary => "the CLI's default on generated data, test metric per tuner: --seconds 300 --seeds 5 [--first-seed 0] --rows 40000 --features 30 --tuners auto,tpe,random --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var seconds = arguments.Double("seconds", 300);
        var seeds = arguments.Int("seeds", 5);
        var firstSeed = arguments.Int("first-seed", 0);
        var rows = arguments.Int("rows", 40_000);
        var features = arguments.Int("features", 30);
        var tuners = arguments.String("tuners", "auto,tpe,random").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var output = arguments.String("out", "out/pipeline.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(seconds > 0, "seconds", seconds, "positive");
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "at least 1");
        BenchmarkArguments.Require(firstSeed >= 0, "first-seed", firstSeed, "0 or more");
        BenchmarkArguments.Require(rows >= 1000, "rows", rows, "at least 1000");

        var folder = Path.Combine(Path.GetTempPath(), "mlnettuning-pipeline-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var runs = new List<JsonObject>();
            // Cost reading per run: mean seconds of a completed trial, slowest quarter / fastest quarter, proposals that weighed cost (gp.cost).
            Console.WriteLine($"{"seed",5}{"tuner",Width}{"test metric",13}{"validation",12}{"trials",8}{"mean s",10}{"spread",8}{"cost",7}  first tuner and reason");
            for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
            {
                // Train and test rows from one stream, so the test rows are new draws of the same rule.
                var all = TimeBudgetCommand.WriteData(Path.Combine(folder, $"all-{seed}.csv"), rows + (rows / 4), features, seed: 100 + seed);
                var lines = File.ReadAllLines(all);
                var train = Path.Combine(folder, $"train-{seed}.csv");
                var test = Path.Combine(folder, $"test-{seed}.csv");
                File.WriteAllLines(train, lines.Take(rows + 1));
                File.WriteAllLines(test, lines.Take(1).Concat(lines.Skip(rows + 1)));
                foreach (var tuner in tuners)
                {
                    var run = RunOnce(train, test, Path.Combine(folder, $"run-{runs.Count}"), tuner, seconds, SeedStreams.Method(tuner.Split(':')[0], seed));
                    run["seed"] = seed;
                    runs.Add(run);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{seed,5}{tuner,Width}{Number(run, "test"),13:F4}{Number(run, "validation"),12:F4}{(int)run["trials"]!,8}{Number(run, "trial_seconds_mean"),10:F1}{Number(run, "trial_seconds_spread"),8:F1}{(int?)run["cost_aware_proposals"] ?? 0,7}  {run["reason"]}"));
                }
            }

            var metric = runs.Select(r => (string?)r["metric"]).FirstOrDefault(m => m is not null) ?? "(no run completed a trial)";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test {metric}, mean ± standard error over {seeds} seeds, {seconds:0} s per run, {rows} rows x {features} features:"));
            var summary = new JsonObject();
            foreach (var tuner in tuners)
            {
                var values = runs.Where(r => (string)r["tuner"]! == tuner).Select(r => Number(r, "test")).Where(double.IsFinite).ToList();
                var mean = values.Count == 0 ? double.NaN : values.Average();
                var se = Statistics.StandardError(values);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tuner,-Width}{mean,9:F4} ± {(values.Count < 2 ? "n/a" : se.ToString("F4", CultureInfo.InvariantCulture))}  ({values.Count} of {seeds} runs completed a trial)"));
                summary[tuner] = new JsonObject { ["mean"] = values.Count == 0 ? null : mean, ["standard_error"] = se, ["runs_with_result"] = values.Count };
            }

            for (var i = 1; i < tuners.Length; i++)
            {
                // Paired by seed: the same data and test rows.
                var differences = Enumerable.Range(firstSeed, seeds).Select(s => Test(runs, tuners[0], s) - Test(runs, tuners[i], s)).Where(double.IsFinite).ToList();
                if (differences.Count == 0)
                {
                    continue;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tuners[0]} − {tuners[i]}, paired by seed: {differences.Average():+0.0000;-0.0000} ± {(differences.Count < 2 ? "n/a" : Statistics.StandardError(differences).ToString("F4", CultureInfo.InvariantCulture))} ({differences.Count} seeds)"));
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, new JsonObject
            {
                ["seconds"] = seconds,
                ["rows"] = rows,
                ["features"] = features,
                ["metric"] = metric,
                ["summary"] = summary,
                ["runs"] = new JsonArray([.. runs]),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Test(List<JsonObject> runs, string tuner, int seed) =>
        Number(runs.Single(r => (string)r["tuner"]! == tuner && (int)r["seed"]! == seed), "test");

    private static double Number(JsonObject run, string key) => (double?)run[key] ?? double.NaN;

    private static JsonObject RunOnce(string train, string test, string output, string tuner, double seconds, int seed)
    {
        var parts = tuner.Split(':');
        var (exitCode, text) = MlnetTuneProcess.Run(new[] { "tune", "--data", train, "--test-data", test, "--label", "label", "--task", "binary", "--tuner", parts[0] }
            .Concat(parts.Skip(1).SelectMany(o => new[] { "--tuner-option", o }))
            .Concat(["--trials", "100000", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--time", seconds.ToString(CultureInfo.InvariantCulture), "--output", output]));
        var summaryPath = Path.Combine(output, "summary.json");
        if (exitCode == 1 && text.Contains("No trial completed", StringComparison.Ordinal))
        {
            // The budget was shorter than one trial on this machine: a run without a result, counted as such.
            return new JsonObject { ["tuner"] = tuner, ["metric"] = null, ["test"] = null, ["validation"] = null, ["trials"] = 0, ["best_trainer"] = null, ["reason"] = "no trial completed within the budget" };
        }

        if (exitCode != 0 || !File.Exists(summaryPath))
        {
            throw new InvalidOperationException($"mlnet-tune --tuner {tuner} exited with {exitCode}:\n{text}");
        }

        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!;
        // Auto's choice and reason, as its first proposal recorded them in the study.
        string reason;
        List<double> durations;
        int costAware;
        using (var store = MLNetTuning.Storage.SqliteTrialStore.OpenReadOnly(Path.Combine(output, "studies.db")))
        {
            var trials = store.Load((string)summary["study"]!).OrderBy(t => t.Id).ToList();
            reason = trials.FirstOrDefault()?.Attributes.GetValueOrDefault("auto.reason") ?? "";
            // The cost reading: how much completed trials' seconds differ, and how many proposals weighed them.
            durations = trials.Where(t => t.State == MLNetTuning.Studies.TrialState.Completed && t.Duration is not null).Select(t => t.Duration!.Value.TotalSeconds).Order().ToList();
            costAware = trials.Count(t => t.Attributes.ContainsKey("gp.cost"));
        }

        var quarter = Math.Max(1, durations.Count / 4);
        var spread = durations.Count < 2 ? double.NaN : durations[^quarter..].Average() / Math.Max(durations[..quarter].Average(), 1e-9);

        return new JsonObject
        {
            ["tuner"] = tuner,
            ["metric"] = (string?)summary["metric"],
            ["test"] = (double)summary["test"]!["metric"]!,
            ["validation"] = (double)summary["best"]!["value"]!,
            ["trials"] = (int)summary["trials"]!["total"]!,
            ["best_trainer"] = (string?)summary["best"]!["trainer"],
            ["reason"] = reason,
            ["trial_seconds_mean"] = durations.Count == 0 ? null : durations.Average(),
            ["trial_seconds_spread"] = double.IsFinite(spread) ? spread : null,
            ["cost_aware_proposals"] = costAware,
        };
    }
}
