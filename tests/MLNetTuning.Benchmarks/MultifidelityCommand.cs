using System.Globalization;
using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `multifidelity --function mfhartmann6|mfborehole8 --seeds 20`: compute (in full-budget equivalents, units/100) that each
/// scheduler needs to reach the final true regret of random search with 100 full-budget trials. Two readings: per
/// seed, against that seed's random search; and on the median curve over the seeds, against random search's median
/// final regret (a seed's random search is itself a draw, so an equally good method reaches it on only half of them).
/// Random search and each scheduler draw from their own seeds (<see cref="SeedStreams"/>).
/// </summary>
public sealed class MultifidelityCommand : IBenchmarkCommand
{
    private const int RandomTrials = 100;

    public string Name => "multifidelity";

    public string Summary => "multi-fidelity schedulers vs random search on MF-Hartmann6 or MF-Borehole (--function mfhartmann6|mfborehole8 --seeds 20), or tuning the network (--task nn --seeds 3 --trials 16)";

    public int Run(BenchmarkArguments arguments)
    {
        var task = arguments.OptionalString("task");
        if (task is not null)
        {
            return task == "nn"
                ? NeuralNetworkMultifidelity.Run(arguments)
                : throw new ArgumentException($"Unknown --task '{task}'; known: nn (or --function mfhartmann6 without --task).");
        }

        var function = arguments.String("function", "mfhartmann6");
        var seeds = arguments.Int("seeds", 20);
        var cap = arguments.Double("cap", 100);
        var eta = arguments.Double("eta", 3);
        var minBudget = arguments.Double("min-budget", 1);
        var methods = arguments.String("methods", "sh,hyperband,asha,asha-stopping,bohb").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var output = arguments.OutputPath($"multifidelity-{function}.json");
        arguments.RejectUnknown();
        var objective = MultiFidelityObjective.Named(function);

        if (seeds < 1)
        {
            throw new ArgumentException($"--seeds must be at least 1, got {seeds}.");
        }

        foreach (var method in methods)
        {
            _ = CreateTuner(objective.Space, method, 0, eta, minBudget);
        }

        objective.CheckOptimum();

        var rows = new List<SeedResult>();
        var targets = new List<double>();
        for (var seed = 0; seed < seeds; seed++)
        {
            var target = RandomSearchRegret(objective, seed);
            targets.Add(target);
            foreach (var method in methods)
            {
                rows.Add(RunScheduler(objective, method, seed, target, cap, eta, minBudget));
            }
        }

        var medianTarget = Statistics.Median(targets);
        var summaries = methods.Select(m => Summarise(m, rows.Where(r => r.Method == m).ToList(), medianTarget)).ToList();
        PrintTable(objective, summaries, targets, seeds, cap, eta, minBudget);
        File.WriteAllText(output, JsonSerializer.Serialize(new { function, seeds, randomTrials = RandomTrials, cap, eta, minBudget, medianTarget, summaries, rows }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"JSON: {output}");
        return 0;
    }

    /// <summary>The final true regret of 100 random trials at z = 100.</summary>
    private static double RandomSearchRegret(MultiFidelityObjective objective, int seed)
    {
        var study = new TuningStudy(new RandomTuner(objective.Space, new RandomTunerOptions { Seed = SeedStreams.Baseline(seed) }));
        var result = study.Optimize(c => objective.Evaluate(objective.Point(c.Parameters), MfHartmann6.MaxFidelity), new StudyLimits { MaxTrials = RandomTrials });
        return objective.TrueRegret(objective.Point(result.BestTrial!.Parameters));
    }

    private static IHyperparameterTuner CreateTuner(HyperparameterSpace space, string method, int seed, double eta, double minBudget) => method switch
    {
        "sh" => new SuccessiveHalvingTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed }),
        "hyperband" => new HyperbandTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed }),
        "asha" => new AshaTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed }),
        "asha-stopping" => new AshaTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed, Mode = AshaMode.Stopping }),
        "bohb" => new BohbTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed }),
        "asha-tpe" => new AshaTuner(space, new() { MinBudget = minBudget, MaxBudget = 100, ReductionFactor = eta, Seed = seed, Model = ProposalModel.Tpe, SkipUninformativeRungs = true }),
        "tpe" => new TpeTuner(space, new() { Seed = seed }),
        "gp" => new GaussianProcessTuner(space, new() { Seed = seed }),
        _ => throw new ArgumentException($"Unknown method '{method}' in --methods; known: sh, hyperband, asha, asha-stopping, bohb, asha-tpe (TPE proposals, uninformative rungs skipped); single-fidelity references at the full budget: tpe, gp."),
    };

    /// <summary>Runs a scheduler sequentially (ask, evaluate, tell) until the compute cap is spent, recording when a
    /// full-budget evaluation first reaches the target regret and the best full-budget regret after each evaluation.
    /// A promoted trial costs its whole budget (retrained); the resumed cost charges only the budget above its
    /// parent's, as a checkpointing objective would.</summary>
    private static SeedResult RunScheduler(MultiFidelityObjective objective, string method, int seed, double target, double cap, double eta, double minBudget)
    {
        var study = new TuningStudy(CreateTuner(objective.Space, method, SeedStreams.Method(method, seed), eta, minBudget));
        var fidelityOf = new Dictionary<int, int>();
        double cost = 0, resumedCost = 0, best = double.PositiveInfinity;
        double? reachedCost = null, reachedResumedCost = null;
        var trace = new List<TracePoint>();
        var trials = 0;
        var startBudgets = new List<string>();
        while (cost < cap)
        {
            var trial = study.Ask() ?? throw new InvalidOperationException($"{method} proposed nothing in a sequential run.");
            trials++;
            var x = objective.Point(trial.Parameters);
            var z = MfHartmann6.Fidelity(trial.Budget ?? MfHartmann6.MaxFidelity);
            double value;
            int trained;
            if (method == "asha-stopping")
            {
                value = double.NaN;
                trained = 0;
                for (var step = 1; step <= z; step++)
                {
                    value = objective.Evaluate(x, step);
                    trained = step;
                    if (study.Report(trial, step, value) == TrialDecision.Stop)
                    {
                        break;
                    }
                }

                resumedCost += trained / 100.0;
            }
            else
            {
                value = objective.Evaluate(x, z);
                trained = z;
                var parent = trial.ParentTrialId is int p ? fidelityOf[p] : 0;
                resumedCost += (z - parent) / 100.0;
            }

            fidelityOf[trial.Id] = z;
            if (trial.ParentTrialId is null && (startBudgets.Count == 0 || !startBudgets[^1].StartsWith($"{z} ", StringComparison.Ordinal)))
            {
                // Where new configurations start, and from which compute on: shows a scheduler moving its lowest rung.
                startBudgets.Add(string.Create(CultureInfo.InvariantCulture, $"{z} from {cost:0.0}"));
            }

            cost += trained / 100.0;
            study.Tell(trial, value);
            if (trained == MfHartmann6.MaxFidelity)
            {
                best = Math.Min(best, objective.TrueRegret(x));
            }

            trace.Add(new TracePoint(cost, resumedCost, best));
            if (reachedCost is null && best <= target)
            {
                (reachedCost, reachedResumedCost) = (cost, resumedCost);
            }
        }

        return new SeedResult(method, seed, target, reachedCost is not null, reachedCost, reachedResumedCost, best, trials, startBudgets, trace);
    }

    /// <summary>The first compute at which the median over the seeds of the best full-budget regret so far is at or
    /// below <paramref name="target"/> (null: not within the cap). Each trace's costs only grow, so one cursor per
    /// seed walks forward as the compute grows.</summary>
    private static double? MedianCurveReaches(List<SeedResult> rows, double target, bool resumed)
    {
        static double Cost(TracePoint p, bool resumed) => resumed ? p.ResumedCost : p.Cost;
        var next = new int[rows.Count];
        var bests = new double[rows.Count];
        Array.Fill(bests, double.PositiveInfinity);
        foreach (var c in rows.SelectMany(r => r.Trace).Select(p => Cost(p, resumed)).Distinct().Order())
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var trace = rows[i].Trace;
                while (next[i] < trace.Count && Cost(trace[next[i]], resumed) <= c)
                {
                    bests[i] = trace[next[i]++].BestRegret;
                }
            }

            if (Statistics.Median(bests) <= target)
            {
                return c;
            }
        }

        return null;
    }

    private static MethodSummary Summarise(string method, List<SeedResult> rows, double medianTarget)
    {
        var costs = rows.Select(r => r.Cost ?? double.PositiveInfinity).Order().ToList();
        var resumed = rows.Select(r => r.ResumedCost ?? double.PositiveInfinity).Order().ToList();
        var reached = rows.Where(r => r.Reached).ToList();
        return new MethodSummary(
            method,
            reached.Count,
            rows.Count,
            reached.Count > 0 ? reached.Average(r => r.Cost!.Value) : null,
            Statistics.Median(costs),
            reached.Count > 0 ? reached.Average(r => r.ResumedCost!.Value) : null,
            Statistics.Median(resumed),
            RandomTrials / Statistics.Median(costs),
            MedianCurveReaches(rows, medianTarget, resumed: false),
            MedianCurveReaches(rows, medianTarget, resumed: true));
    }

    private static void PrintTable(MultiFidelityObjective objective, List<MethodSummary> summaries, List<double> targets, int seeds, double cap, double eta, double minBudget)
    {
        static string F(double? v) => v is double d && double.IsFinite(d) ? d.ToString("0.0", CultureInfo.InvariantCulture) : "—";
        static string X(double? cost) => cost is double c ? (RandomTrials / c).ToString("0.0", CultureInfo.InvariantCulture) + "x" : "—";
        Console.WriteLine($"{objective.Title}, {seeds} seeds, η = {eta}, budgets [{minBudget}, 100]; target = final true regret of random search with {RandomTrials} trials at z = 100 (mean {targets.Average():0.000}, median {Statistics.Median(targets):0.000}).");
        Console.WriteLine($"Compute in full-budget equivalents (units/100) until a full-budget evaluation reaches the target; random search spends {RandomTrials}. Cap {cap}.");
        Console.WriteLine($"{"",-14} {"per seed, against that seed's random search",-69} | median curve reaches the median target");
        Console.WriteLine($"{"method",-14} {"reached",8} {"mean",8} {"median",8} {"speed-up",9} {"mean (resumed)",15} {"median (resumed)",17} | {"compute",8} {"speed-up",9} {"resumed",8} {"speed-up",9}");
        foreach (var s in summaries)
        {
            Console.WriteLine($"{s.Method,-14} {s.Reached + "/" + s.Seeds,8} {F(s.MeanCost),8} {F(s.MedianCost),8} {(double.IsFinite(s.MedianSpeedUp) && s.MedianSpeedUp > 0 ? s.MedianSpeedUp.ToString("0.0", CultureInfo.InvariantCulture) + "x" : "—"),9} {F(s.MeanResumedCost),15} {F(s.MedianResumedCost),17} | {F(s.MedianCurveCost),8} {X(s.MedianCurveCost),9} {F(s.MedianCurveResumedCost),8} {X(s.MedianCurveResumedCost),9}");
        }

        Console.WriteLine("per seed: mean over the seeds that reached the target; median over all seeds, a seed that did not reach it counting as infinite.");
        Console.WriteLine($"median curve: the median over the seeds of the best full-budget regret so far, against random search's median final regret {Statistics.Median(targets):0.000}; — = not within the cap.");
    }

    private sealed record TracePoint(double Cost, double ResumedCost, double BestRegret);

    private sealed record SeedResult(string Method, int Seed, double TargetRegret, bool Reached, double? Cost, double? ResumedCost, double BestFullBudgetRegret, int Trials, IReadOnlyList<string> StartBudgets, IReadOnlyList<TracePoint> Trace);

    private sealed record MethodSummary(string Method, int Reached, int Seeds, double? MeanCost, double MedianCost, double? MeanResumedCost, double MedianResumedCost, double MedianSpeedUp, double? MedianCurveCost, double? MedianCurveResumedCost);
}
