using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.Importance;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `importance --trials 300 --seed 0 --seeds 1 --functions all --feature-fraction 0.8333 --out FILE.json`: our fANOVA
/// and Optuna 3.1's FanovaImportanceEvaluator (Debian's python3-optuna, python3-sklearn) on the same random-search
/// trials of each function, side by side, for seeds seed .. seed + seeds - 1: Spearman rank agreement per function
/// (target: mean ≥ 0.8 over the functions with at least 4 parameters) and, on the two synthetic functions with
/// analytic shares, each side's largest error, with the means over the seeds.
/// </summary>
public sealed class ImportanceCommand : IBenchmarkCommand
{
    private sealed record Function(string Name, int Dimension, Func<double[], double> Evaluate, double[]? AnalyticShares);

    private static readonly Function[] Functions =
    [
        // One dominant parameter: 10 x1 + 0.3 x2 + 0.3 x3; shares 100:0.09:0.09 of the variance.
        new("dominant-3d", 3, x => (10 * x[0]) + (0.3 * x[1]) + (0.3 * x[2]), Shares([100, 0.09, 0.09])),
        // Additive: x1 + 2 x2²; Var = 1/12 and 16/45.
        new("additive-2d", 2, x => x[0] + (2 * x[1] * x[1]), Shares([1.0 / 12, 16.0 / 45])),
        new("weighted-quadratic-5d", 5, x => (8 * Sq(x[0] - 0.3)) + (4 * Sq(x[1] - 0.6)) + (2 * Sq(x[2] - 0.5)) + Sq(x[3] - 0.2) + (0.5 * Sq(x[4] - 0.7)), null),
        new("rosenbrock-4d", 4, x => Enumerable.Range(0, 3).Sum(i => (100 * Sq((4 * x[i + 1]) - 2 - Sq((4 * x[i]) - 2))) + Sq(1 - ((4 * x[i]) - 2))), null),
        new("hartmann-6d", 6, Hartmann6, null),
        new("interaction-4d", 4, x => (3 * x[0] * x[1]) + Math.Sin(6 * x[2]) + (0.2 * x[3]), null),
        new("log-scale-6d", 6, x => Math.Log(1 + (100 * x[0])) + Math.Exp(2 * x[1]) + (0.5 * x[2]) + (0.25 * x[3] * x[4]) + (0.05 * x[5]), null),
    ];

    public string Name => "importance";

    public string Summary => "fANOVA importance vs Optuna 3.1 on the same trials: --trials 300 --seed 0 --seeds 1 --functions all|NAME,NAME --feature-fraction 0.8333 --python /usr/bin/python3 --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var count = arguments.Int("trials", 300);
        var firstSeed = arguments.Int("seed", 0);
        var seeds = arguments.Int("seeds", 1);
        var names = arguments.String("functions", "all");
        var featureFraction = arguments.Double("feature-fraction", new ParameterImportanceOptions().FeatureFraction);
        var python = arguments.String("python", "/usr/bin/python3");
        var output = arguments.String("out", Path.Combine("out", "benchmarks", "importance.json"));
        arguments.RejectUnknown();
        BenchmarkArguments.Require(count >= 2, "trials", count, "at least 2");
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "at least 1");
        var functions = names == "all" ? Functions : names.Split(',').Select(n => Functions.FirstOrDefault(f => f.Name == n)
            ?? throw new ArgumentException($"--functions: unknown function '{n}'; known: {string.Join(", ", Functions.Select(f => f.Name))}.")).ToArray();

        var results = new List<Dictionary<string, object?>>();
        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            results.AddRange(RunSeed(functions, count, seed, featureFraction, python));
        }

        Console.WriteLine();
        Console.WriteLine($"{"function",-24}{"seeds",7}{"spearman",10}{"ours err",11}{"optuna err",12}{"ours <= optuna",16}");
        foreach (var f in functions)
        {
            var rows = results.Where(r => (string)r["function"]! == f.Name).ToList();
            var rho = rows.Average(r => (double)r["spearman"]!);
            var line = string.Create(CultureInfo.InvariantCulture, $"{f.Name,-24}{rows.Count,7}{rho,10:F3}");
            if (f.AnalyticShares is not null)
            {
                var ours = rows.Select(r => (double)r["ours_max_error"]!).ToList();
                var theirs = rows.Select(r => (double)r["optuna_max_error"]!).ToList();
                line += string.Create(CultureInfo.InvariantCulture, $"{ours.Average(),11:F4}{theirs.Average(),12:F4}{ours.Zip(theirs).Count(p => p.First <= p.Second),12}/{rows.Count}");
            }

            Console.WriteLine(line);
        }

        var big = results.Where(r => (int)r["parameters"]! >= 4).Select(r => (double)r["spearman"]!).ToList();
        var mean = big.Count == 0 ? double.NaN : big.Average();
        if (big.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean Spearman over the functions with >= 4 parameters ({big.Count} function-seed pairs): {mean:F3} (target >= 0.8: {(mean >= 0.8 ? "met" : "MISSED")})"));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object?> { ["trials"] = count, ["seeds"] = Enumerable.Range(firstSeed, seeds).ToArray(), ["feature_fraction"] = featureFraction, ["mean_spearman_4plus"] = big.Count == 0 ? null : mean, ["results"] = results }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static List<Dictionary<string, object?>> RunSeed(Function[] functions, int count, int seed, double featureFraction, string python)
    {
        var input = new JsonArray();
        var ours = new Dictionary<string, Dictionary<string, double>>();
        foreach (var f in functions)
        {
            var builder = HyperparameterSpace.CreateBuilder();
            var names = Enumerable.Range(1, f.Dimension).Select(i => $"x{i}").ToArray();
            foreach (var n in names)
            {
                builder.Double(n, 0, 1);
            }

            var space = builder.Build();
            var random = new Random(seed);
            var trials = new List<TuningTrial>();
            var rows = new JsonArray();
            for (var id = 0; id < count; id++)
            {
                var x = Enumerable.Range(0, f.Dimension).Select(_ => random.NextDouble()).ToArray();
                var trial = new TuningTrial(id, space.DecodeParameters(x));
                var value = f.Evaluate(names.Select(n => trial.Parameters.Get<double>(n)).ToArray());
                trial.Restore(TrialState.Completed, value, value, null, trial.StartedAt);
                trials.Add(trial);
                rows.Add(new JsonObject { ["x"] = new JsonArray(names.Select(n => (JsonNode?)trial.Parameters.Get<double>(n)).ToArray()), ["value"] = value });
            }

            var options = new ParameterImportanceOptions { Seed = seed, FeatureFraction = featureFraction };
            ours[f.Name] = FanovaImportance.Evaluate(space, trials, options).Parameters.ToDictionary(p => p.Name, p => p.Importance);
            input.Add(new JsonObject { ["name"] = f.Name, ["parameters"] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray()), ["trials"] = rows });
        }

        var optuna = RunOptuna(python, new JsonObject { ["functions"] = input });
        var results = new List<Dictionary<string, object?>>();
        Console.WriteLine($"seed {seed}");
        Console.WriteLine($"{"function",-24}{"params",7}{"spearman",10}{"ours max err",14}{"optuna max err",16}  ours | optuna");
        foreach (var f in functions)
        {
            var names = Enumerable.Range(1, f.Dimension).Select(i => $"x{i}").ToArray();
            var a = names.Select(n => ours[f.Name][n]).ToArray();
            var b = names.Select(n => optuna[f.Name]![n]!.GetValue<double>()).ToArray();
            var rho = Spearman(a, b);
            double? ourError = f.AnalyticShares is { } s ? a.Select((v, i) => Math.Abs(v - s[i])).Max() : null;
            double? optunaError = f.AnalyticShares is { } s2 ? b.Select((v, i) => Math.Abs(v - s2[i])).Max() : null;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Name,-24}{f.Dimension,7}{rho,10:F3}{(ourError is double e1 ? e1.ToString("F4", CultureInfo.InvariantCulture) : "-"),14}{(optunaError is double e2 ? e2.ToString("F4", CultureInfo.InvariantCulture) : "-"),16}  {string.Join(" ", a.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))} | {string.Join(" ", b.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}"));
            results.Add(new()
            {
                ["seed"] = seed, ["function"] = f.Name, ["parameters"] = f.Dimension, ["spearman"] = rho, ["ours"] = a, ["optuna"] = b,
                ["analytic"] = f.AnalyticShares, ["ours_max_error"] = ourError, ["optuna_max_error"] = optunaError,
            });
        }

        return results;
    }

    private static double Sq(double v) => v * v;

    private static double[] Shares(double[] variances) => variances.Select(v => v / variances.Sum()).ToArray();

    private static double Hartmann6(double[] x)
    {
        double[] alpha = [1.0, 1.2, 3.0, 3.2];
        double[,] a = { { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 } };
        double[,] p = { { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 }, { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 } };
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                inner += a[i, j] * Sq(x[j] - p[i, j]);
            }

            sum += alpha[i] * Math.Exp(-inner);
        }

        return -sum;
    }

    private static JsonNode RunOptuna(string python, JsonObject input)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mlnettuning-importance-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        var inPath = Path.Combine(folder, "in.json");
        var outPath = Path.Combine(folder, "out.json");
        File.WriteAllText(inPath, input.ToJsonString());
        var script = Path.Combine(AppContext.BaseDirectory, "optuna_fanova.py");
        using var process = Process.Start(new ProcessStartInfo(python, [script, inPath, outPath]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new ArgumentException($"Optuna's evaluator failed ({python} {script}): {error}");
        }

        var result = JsonNode.Parse(File.ReadAllText(outPath))!;
        Directory.Delete(folder, recursive: true);
        return result;
    }

    private static double Spearman(double[] a, double[] b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average();
        var cov = ra.Select((r, i) => (r - ma) * (rb[i] - mb)).Sum();
        var va = ra.Sum(r => Sq(r - ma));
        var vb = rb.Sum(r => Sq(r - mb));
        return va == 0 || vb == 0 ? 0 : cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(double[] values)
    {
        // Average ranks for ties.
        var order = values.Select((v, i) => (v, i)).OrderBy(p => p.v).ToArray();
        var ranks = new double[values.Length];
        for (var k = 0; k < order.Length;)
        {
            var end = k;
            while (end + 1 < order.Length && order[end + 1].v == order[k].v)
            {
                end++;
            }

            for (var m = k; m <= end; m++)
            {
                ranks[order[m].i] = (k + end) / 2.0;
            }

            k = end + 1;
        }

        return ranks;
    }
}
