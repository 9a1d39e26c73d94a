using System.Globalization;
using System.Text.Json;
using MLNetTuning.Benchmarks.Functions;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `functions --tuner NAME,...|all --function NAME,...|all --trials 100 --seeds 20 [--first-seed 0]
/// [--reference FILE.jsonl] --out out/functions.jsonl`: minimises test functions with known minima, writes one JSON
/// line per run (best-so-far regret after every trial, `regret[]`) and prints the mean log10 regret at 25, 50 and
/// 100 trials per function and tuner, then each tuner's mean rank over every function and budget.
/// </summary>
/// <remarks>
/// <c>--reference</c> adds the runs of another implementation written in the same format, such as
/// <c>scripts/optuna_functions.py</c>'s, for the same functions and seeds; they are ranked with the rest.
/// </remarks>
public sealed class FunctionsCommand : IBenchmarkCommand
{
    private static readonly int[] Budgets = [25, 50, 100];

    public string Name => "functions";

    public string Summary => "tuners on test functions: --tuner NAME,...|all --function NAME,...|all --trials 100 --seeds 20 [--first-seed 0] [--reference FILE.jsonl] --out out/functions.jsonl";

    public int Run(BenchmarkArguments arguments)
    {
        var tuners = TunerRegistry.Resolve(arguments.String("tuner", "all"));
        var functions = BenchmarkFunctions.Resolve(arguments.String("function", "all"));
        var trials = arguments.Int("trials", 100);
        var seeds = arguments.Int("seeds", 20);
        var firstSeed = arguments.Int("first-seed", 0);
        var reference = arguments.String("reference", "");
        var output = arguments.String("out", Path.Combine("out", "functions.jsonl"));
        arguments.RejectUnknown();
        if (trials < 1 || seeds < 1)
        {
            throw new ArgumentException($"--trials and --seeds must be at least 1, got {trials} and {seeds}.");
        }

        if (reference.Length > 0 && !File.Exists(reference))
        {
            throw new ArgumentException($"--reference: no file '{reference}'.");
        }

        var runs = new Dictionary<(string Tuner, string Function), List<double[]>>();
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        Directory.CreateDirectory(directory!);
        using (var writer = new StreamWriter(output))
        {
            foreach (var tuner in tuners)
            {
                foreach (var function in functions)
                {
                    var list = runs[(tuner, function.Name)] = [];
                    for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
                    {
                        var (regret, seconds, suggestSeconds) = TunerDriver.Minimise(TunerRegistry.All[tuner], function, seed, trials);
                        list.Add(regret);
                        writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["impl"] = "mlnettuning",
                            ["sampler"] = tuner,
                            ["function"] = function.Name,
                            ["seed"] = seed,
                            ["regret"] = regret,
                            ["seconds"] = seconds,
                            ["suggest_seconds"] = suggestSeconds,
                        }));
                        writer.Flush();
                    }
                }
            }
        }

        var names = tuners.ToList();
        if (reference.Length > 0)
        {
            names.AddRange(ReadReference(reference, functions.Select(f => f.Name).ToHashSet(), firstSeed, seeds, runs));
        }

        var budgets = Budgets.Where(b => b < trials).Append(trials).Distinct().ToArray();
        PrintTable(names, functions.Select(f => f.Name).ToList(), runs, budgets, firstSeed, seeds);
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    /// <summary>Mean log10 regret after <paramref name="budget"/> trials (runs shorter than the budget are skipped).</summary>
    public static double? MeanAt(IEnumerable<double[]> runs, int budget)
    {
        var values = runs.Where(r => r.Length >= budget).Select(r => TunerDriver.Log10Regret(r[budget - 1])).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>Reads another implementation's runs (same JSON lines) for the given functions and seeds; returns the row names added.</summary>
    private static List<string> ReadReference(string path, HashSet<string> functions, int firstSeed, int seeds, Dictionary<(string, string), List<double[]>> runs)
    {
        var added = new List<string>();
        foreach (var line in File.ReadLines(path).Where(l => l.Trim().Length > 0))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var function = root.GetProperty("function").GetString()!;
            var seed = root.GetProperty("seed").GetInt32();
            if (!functions.Contains(function) || seed < firstSeed || seed >= firstSeed + seeds)
            {
                continue;
            }

            var name = $"{root.GetProperty("impl").GetString()}:{root.GetProperty("sampler").GetString()}";
            if (!added.Contains(name))
            {
                added.Add(name);
            }

            var key = (name, function);
            if (!runs.TryGetValue(key, out var list))
            {
                runs[key] = list = [];
            }

            list.Add(root.GetProperty("regret").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }

        return added;
    }

    private static void PrintTable(List<string> tuners, List<string> functions, Dictionary<(string, string), List<double[]>> runs, int[] budgets, int firstSeed, int seeds)
    {
        static string F(double? v) => v?.ToString("F2", CultureInfo.InvariantCulture) ?? "-";
        Console.WriteLine($"mean log10 regret over seeds {firstSeed}..{firstSeed + seeds - 1} after n trials (lower is better)");
        Console.WriteLine($"{"function",-18}{"tuner",-22}" + string.Concat(budgets.Select(b => $"{"@" + b,9}")));
        var ranks = tuners.ToDictionary(t => t, _ => new List<double>());
        foreach (var function in functions)
        {
            foreach (var tuner in tuners)
            {
                var row = budgets.Select(b => runs.TryGetValue((tuner, function), out var r) ? MeanAt(r, b) : null).ToArray();
                Console.WriteLine($"{function,-18}{tuner,-22}" + string.Concat(row.Select(v => $"{F(v),9}")));
            }

            foreach (var budget in budgets)
            {
                var scored = tuners.Select(t => (Tuner: t, Value: runs.TryGetValue((t, function), out var r) ? MeanAt(r, budget) : null))
                    .Where(s => s.Value is not null).ToList();
                foreach (var (tuner, value) in scored)
                {
                    // Ties share the mean of the ranks they span.
                    var below = scored.Count(s => s.Value < value);
                    var equal = scored.Count(s => s.Value == value);
                    ranks[tuner].Add(below + ((equal + 1) / 2.0));
                }
            }
        }

        Console.WriteLine($"mean rank over {functions.Count} functions x budgets {string.Join("/", budgets)} (1 = best; over the cells each tuner has)");
        foreach (var tuner in tuners.Where(t => ranks[t].Count > 0).OrderBy(t => ranks[t].Average()))
        {
            Console.WriteLine($"  {tuner,-22}{ranks[tuner].Average().ToString("F2", CultureInfo.InvariantCulture),8}  ({ranks[tuner].Count} cells)");
        }
    }
}
