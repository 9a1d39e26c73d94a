using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetTuning.Benchmarks.Functions;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `costaware --tuner gp,gp-nocost --seeds 10 --trials 60 [--budget SECONDS] --out out/costaware.json`: simulated
/// seconds to reach a target on problems whose trials cost different seconds in different regions. Each trial's
/// cost is reported through its start and completion times on a simulated clock, so nothing sleeps and the
/// reading does not depend on the machine's load. Problems: `twin2`, two equally good optima, the half x0 ≥ 0.5
/// costing 20 s and the other 1 s (the unit test's); `hartmann6-cheapopt`, Hartmann-6 with a trial costing
/// 1 + 19·x0 s (its optimum, x0 ≈ 0.20, in the cheap part); `hartmann6-dearopt`, 1 + 19·(1 − x0) s (the
/// optimum in the dear part, where weighing cost can only slow the search down).
/// </summary>
public sealed class CostAwareCommand : IBenchmarkCommand
{
    public string Name => "costaware";

    public string Summary => "simulated seconds to a target where trials' costs differ: --tuner gp,gp-nocost --seeds 10 --trials 60 [--budget SECONDS] --out FILE.json";

    private static IEnumerable<(string Name, BenchmarkFunction Function, Func<double[], double> Seconds, double Target)> Problems()
    {
        var twin = BenchmarkFunction.Box("twin2", 2, 0, 1, 0, x => 1 - Math.Cos(4 * Math.PI * (x[0] - 0.125)) + (4 * Math.Pow(x[1] - 0.6, 2)));
        yield return ("twin2", twin, x => x[0] >= 0.5 ? 20 : 1, 0.01);
        yield return ("hartmann6-cheapopt", ClassicFunctions.Hartmann6, x => 1 + (19 * x[0]), 0.1);
        yield return ("hartmann6-dearopt", ClassicFunctions.Hartmann6, x => 1 + (19 * (1 - x[0])), 0.1);
    }

    public int Run(BenchmarkArguments arguments)
    {
        var tuners = TunerRegistry.Resolve(arguments.String("tuner", "gp,gp-nocost"));
        var seeds = arguments.Int("seeds", 10);
        var trials = arguments.Int("trials", 60);
        var budget = arguments.Double("budget", 0);
        var output = arguments.String("out", "out/costaware.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "at least 1");
        BenchmarkArguments.Require(trials >= 1, "trials", trials, "at least 1");

        var runs = new JsonArray();
        Console.WriteLine("simulated seconds to reach the target (regret), median and mean over seeds; runs that never reached it count all their seconds");
        Console.WriteLine($"{"problem",-20}{"tuner",-12}{"median s",10}{"mean s",10}{"reached",9}");
        foreach (var (name, function, cost, target) in Problems())
        {
            foreach (var tuner in tuners)
            {
                var results = new List<(double Seconds, bool Reached)>();
                for (var seed = 0; seed < seeds; seed++)
                {
                    var factory = budget > 0 && tuner == "gp"
                        ? new MLContext(0).Tuning().Tuners.GaussianProcess(new GaussianProcessTunerOptions { TimeBudget = TimeSpan.FromSeconds(budget) })
                        : TunerRegistry.All[tuner];
                    var result = SecondsToTarget(factory.Create(function.Space, seed), function, cost, target, trials);
                    results.Add(result);
                    runs.Add(new JsonObject { ["problem"] = name, ["tuner"] = tuner, ["seed"] = seed, ["seconds"] = result.Seconds, ["reached"] = result.Reached });
                }

                var sorted = results.Select(r => r.Seconds).Order().ToList();
                var median = (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-20}{tuner,-12}{median,10:F0}{sorted.Average(),10:F0}{results.Count(r => r.Reached),6}/{seeds}"));
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, new JsonObject { ["trials"] = trials, ["budget"] = budget > 0 ? budget : null, ["runs"] = runs }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static (double Seconds, bool Reached) SecondsToTarget(IHyperparameterTuner tuner, BenchmarkFunction function, Func<double[], double> cost, double target, int trials)
    {
        var start = DateTimeOffset.UnixEpoch;
        var clock = start;
        var names = function.Space.Keys.ToArray();
        for (var i = 0; i < trials; i++)
        {
            var proposal = tuner.Propose(i) ?? throw new InvalidOperationException("The tuner stopped proposing.");
            var trial = new TuningTrial(i, proposal.Parameters, startedAt: clock);
            clock += TimeSpan.FromSeconds(cost(names.Select(n => proposal.Parameters.Get<double>(n)).ToArray()));
            var loss = function.Evaluate(proposal.Parameters);
            trial.Restore(TrialState.Completed, loss, loss, null, clock);
            tuner.Complete(trial);
            if (loss - function.Optimum <= target)
            {
                return ((clock - start).TotalSeconds, true);
            }
        }

        return ((clock - start).TotalSeconds, false);
    }
}
