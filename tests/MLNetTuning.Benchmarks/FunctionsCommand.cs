using System.Globalization;
using System.Text.Json;
using MLNetTuning.Benchmarks.Functions;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `functions --tuner NAME|all --function NAME|all --trials 100 --seeds 20 --out FILE.jsonl`: minimises test
/// functions with known minima, writes one JSON line per run and prints the mean log10 regret at the last trial.
/// </summary>
public sealed class FunctionsCommand : IBenchmarkCommand
{
    /// <summary>Optuna 3.1 TPE's mean log10 regret at 100 trials over seeds 0..19, measured on this machine (issue 4).</summary>
    private static readonly Dictionary<string, double> OptunaTpe = new()
    {
        ["branin"] = -1.92,
        ["hartmann6"] = -0.61,
        ["rosenbrock4"] = 1.93,
        ["ackley5"] = 0.89,
        ["levy6"] = 0.16,
        ["styblinski_tang4"] = 1.24,
    };

    public string Name => "functions";

    public string Summary => "tuners on test functions: --tuner NAME|all --function NAME|all --trials 100 --seeds 20 [--first-seed 0] --out FILE.jsonl";

    public int Run(BenchmarkArguments arguments)
    {
        var tuners = TunerRegistry.Resolve(arguments.String("tuner", "all"));
        var functions = BenchmarkFunctions.Resolve(arguments.String("function", "all"));
        var trials = arguments.Int("trials", 100);
        var seeds = arguments.Int("seeds", 20);
        var firstSeed = arguments.Int("first-seed", 0);
        var output = arguments.String("out", "functions.jsonl");
        arguments.RejectUnknown();
        if (trials < 1 || seeds < 1)
        {
            throw new ArgumentException($"--trials and --seeds must be at least 1, got {trials} and {seeds}.");
        }

        var means = new Dictionary<(string, string), double>();
        using (var writer = new StreamWriter(output))
        {
            foreach (var tuner in tuners)
            {
                foreach (var function in functions)
                {
                    var finals = new List<double>();
                    for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
                    {
                        var (regret, seconds, suggestSeconds) = TunerDriver.Minimise(TunerRegistry.All[tuner], function, seed, trials);
                        finals.Add(TunerDriver.Log10Regret(regret[^1]));
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
                    }

                    means[(tuner, function.Name)] = finals.Average();
                }
            }
        }

        PrintTable(tuners, functions.Select(f => f.Name).ToList(), means, trials, firstSeed, seeds);
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static void PrintTable(IReadOnlyList<string> tuners, List<string> functions, Dictionary<(string, string), double> means, int trials, int firstSeed, int seeds)
    {
        Console.WriteLine($"mean log10 regret after {trials} trials over seeds {firstSeed}..{firstSeed + seeds - 1} (lower is better)");
        Console.WriteLine($"{"tuner",-16}" + string.Concat(functions.Select(f => $"{f,18}")));
        foreach (var tuner in tuners)
        {
            Console.WriteLine($"{tuner,-16}" + string.Concat(functions.Select(f => $"{means[(tuner, f)].ToString("F2", CultureInfo.InvariantCulture),18}")));
        }

        Console.WriteLine($"{"optuna-3.1 tpe",-16}" + string.Concat(functions.Select(f => $"{(OptunaTpe.TryGetValue(f, out var v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-"),18}")));
    }
}
