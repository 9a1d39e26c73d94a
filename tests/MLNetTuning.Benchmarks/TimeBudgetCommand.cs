using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `timebudget --budgets 20,30 --repeats 2 --rows 40000 --features 30 --trainers FastTree,LightGbm,FastForest --out FILE.json`:
/// how far mlnet-tune's run overshoots its --time budget. It writes a generated binary data set (numeric
/// features, one trial of the tree trainers taking seconds), runs the real tool as a child process, and measures
/// from the line that announces the study (tuning starts right after it) to the process's exit, which includes
/// stopping the running trial and saving the model and summary. The overrun is that span minus the budget; the
/// wrap-up is the part after the study returned (from the leaderboard line to the exit).
/// </summary>
public sealed class TimeBudgetCommand : IBenchmarkCommand
{
    public string Name => "timebudget";

    public string Summary => "mlnet-tune's overrun of --time on generated data: --budgets 20,30 --repeats 2 --rows 40000 --features 30 --trainers LIST --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var budgets = arguments.String("budgets", "20,30").Split(',').Select(b => double.Parse(b, CultureInfo.InvariantCulture)).ToList();
        var repeats = arguments.Int("repeats", 2);
        var rows = arguments.Int("rows", 40_000);
        var features = arguments.Int("features", 30);
        var trainers = arguments.String("trainers", "FastTree,LightGbm,FastForest");
        var output = arguments.String("out", "out/timebudget.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(repeats >= 1, "repeats", repeats, "at least 1");

        var folder = Path.Combine(Path.GetTempPath(), "mlnettuning-timebudget-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var data = WriteData(Path.Combine(folder, "generated.csv"), rows, features, seed: 1);
            var results = new List<JsonObject>();
            Console.WriteLine($"{"budget s",9}{"run",5}{"tuning+save s",15}{"overrun s",11}{"wrap-up s",11}{"completed",11}{"cut",5}{"longest trial s",17}");
            foreach (var budget in budgets)
            {
                for (var run = 0; run < repeats; run++)
                {
                    var result = RunOnce(data, Path.Combine(folder, $"run-{budget}-{run}"), budget, trainers, seed: run + 1);
                    results.Add(result);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{budget,9:F0}{run,5}{(double)result["tuning_and_save_seconds"]!,15:F2}{(double)result["overrun_seconds"]!,11:F2}{(double)result["wrap_up_seconds"]!,11:F2}{(int)result["completed"]!,11}{(int)result["cut"]!,5}{(double)result["longest_trial_seconds"]!,17:F2}"));
                }
            }

            var overruns = results.Select(r => (double)r["overrun_seconds"]!).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overrun: max {overruns.Max():F2} s, median {Statistics.Median(overruns):F2} s over {overruns.Count} runs ({rows} rows x {features} features, {trainers})."));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, new JsonObject
            {
                ["rows"] = rows,
                ["features"] = features,
                ["trainers"] = trainers,
                ["runs"] = new JsonArray([.. results]),
                ["max_overrun_seconds"] = overruns.Max(),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonObject RunOnce(string data, string output, double budget, string trainers, int seed)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlnet-tune.dll"));
        foreach (var a in new[] { "tune", "--data", data, "--label", "label", "--task", "binary", "--trainers", trainers, "--trials", "1000", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--time", budget.ToString(CultureInfo.InvariantCulture), "--output", output })
        {
            start.ArgumentList.Add(a);
        }

        var clock = new Stopwatch();
        TimeSpan? tuningStarted = null;
        TimeSpan? tuningEnded = null;
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (text)
            {
                tuningStarted ??= e.Data.StartsWith("Study ", StringComparison.Ordinal) ? clock.Elapsed : null;
                // The leaderboard is printed as soon as the study returned: what follows is the wrap-up.
                tuningEnded ??= e.Data.Contains("Leaderboard", StringComparison.Ordinal) ? clock.Elapsed : null;
                text.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (text)
            {
                text.AppendLine(e.Data);
            }
        };
        clock.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        var ended = clock.Elapsed;
        // Exit 1 (no trial completed: one trial longer than the budget) is a valid run for this measurement.
        if (process.ExitCode is not (0 or 1) || tuningStarted is null)
        {
            throw new InvalidOperationException($"mlnet-tune exited with {process.ExitCode}:\n{text}");
        }

        // The console wraps long lines; the trial lines are read from the text with its line breaks as spaces.
        var flat = Regex.Replace(text.ToString(), @"\s+", " ");
        var seconds = Regex.Matches(flat, @"Trial \d+ \w+(?: at step \d+)? (?:in|after) ([0-9.]+) s:")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).ToList();
        var span = (ended - tuningStarted.Value).TotalSeconds;
        var wrapUp = tuningEnded is { } end ? (ended - end).TotalSeconds : double.NaN;
        return new JsonObject
        {
            ["budget_seconds"] = budget,
            ["seed"] = seed,
            ["tuning_and_save_seconds"] = Math.Round(span, 3),
            ["overrun_seconds"] = Math.Round(span - budget, 3),
            ["wrap_up_seconds"] = Math.Round(wrapUp, 3),
            ["completed"] = Regex.Matches(flat, @"Trial \d+ completed in ").Count,
            ["cut"] = Regex.Matches(flat, @"Trial \d+ failed after [0-9.]+ s: OperationCanceledException: The trial was stopped because the time budget ran out").Count,
            ["confirmation_refitted"] = flat.Contains("refitted on train + validation", StringComparison.Ordinal),
            ["longest_trial_seconds"] = seconds.Max(),
        };
    }

    /// <summary>A binary label from a noisy rule of the first ten features and one interaction.</summary>
    internal static string WriteData(string path, int rows, int features, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, features).Select(f => $"f{f}").Append("label")));
        var row = new double[features];
        for (var r = 0; r < rows; r++)
        {
            var margin = 0.0;
            for (var f = 0; f < features; f++)
            {
                row[f] = (random.NextDouble() * 2) - 1;
                margin += f < 10 ? row[f] * (f % 2 == 0 ? 1 : -0.5) : 0;
            }

            margin += (row[10] * row[11]) + (0.5 * ((random.NextDouble() * 2) - 1));
            writer.WriteLine(string.Join(",", row.Select(v => v.ToString("F5", CultureInfo.InvariantCulture))) + (margin > 0 ? ",1" : ",0"));
        }

        return path;
    }
}
