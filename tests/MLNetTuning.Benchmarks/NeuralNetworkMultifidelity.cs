using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `multifidelity --task nn`: the binary network preset tuned from ML.NET experiments. Per data set and seed, random
/// search trains every trial for the maximum epochs; its final best validation log-loss is the target. Each
/// scheduler runs until it has spent a share (--cap) of random search's epochs; its cost is the wall-clock and the
/// epochs trained until a trial first reaches the target, per seed and on the seed-averaged best-so-far curve.
/// Promotions continue from the parent's checkpoint; the schedule is laid over the maximum epochs (--horizon max).
/// Every method picks its model on the validation rows, so the validation readings favour the method that draws
/// the most configurations; each method's returned model (the experiment's BestModel) is also scored on test rows
/// no method saw, and that test-side reading is printed with its standard error.
/// </summary>
internal static class NeuralNetworkMultifidelity
{
    private const int GeneratedFeatures = 12;

    public static int Run(BenchmarkArguments arguments)
    {
        var datasets = arguments.String("data", "generated,breast-cancer").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = arguments.Int("seeds", 3);
        var trials = arguments.Int("trials", 16);
        var rows = arguments.Int("rows", 20000);
        var maxEpochs = arguments.Int("max-epochs", 27);
        var minEpochs = arguments.Int("min-epochs", 1);
        var eta = arguments.Double("eta", 3);
        var threads = arguments.Int("threads", 2);
        var methods = arguments.String("methods", "sh,hyperband,asha,bohb").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var breastCancer = arguments.OptionalString("breast-cancer");
        var scheduleName = arguments.String("schedule", "cosine");
        var cap = arguments.Double("cap", 0.5);
        var horizon = arguments.String("horizon", "max");
        var output = arguments.OutputPath("multifidelity-nn.json");
        var diagnose = arguments.Int("diagnose", 0);
        var noise = arguments.Int("noise", 0);
        var verbose = arguments.Flag("verbose");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "must be at least 1");
        BenchmarkArguments.Require(trials >= 2, "trials", trials, "must be at least 2");
        BenchmarkArguments.Require(rows >= 1000, "rows", rows, "must be at least 1000");
        BenchmarkArguments.Require(minEpochs >= 1 && maxEpochs > minEpochs, "min-epochs", $"{minEpochs} (max {maxEpochs})", "needs 1 <= --min-epochs < --max-epochs");
        BenchmarkArguments.Require(threads >= 1, "threads", threads, "must be at least 1");
        BenchmarkArguments.Require(cap is > 0 and <= 1, "cap", cap, "must be in (0, 1]: the share of random search's epochs a scheduler may spend");
        BenchmarkArguments.Require(Enum.TryParse<LearningRateSchedule>(scheduleName, ignoreCase: true, out var schedule), "schedule", scheduleName, $"must be one of {string.Join(", ", Enum.GetNames<LearningRateSchedule>())}");
        BenchmarkArguments.Require(horizon is "trial" or "max", "horizon", horizon, "must be trial (the schedule over each trial's own epochs) or max (over --max-epochs, so a promotion equals an uninterrupted run)");
        int? scheduleEpochs = horizon == "max" ? maxEpochs : null;
        foreach (var method in methods)
        {
            _ = Tuner(method, minEpochs, maxEpochs, eta);
        }

        foreach (var name in datasets)
        {
            BenchmarkArguments.Require(name is "generated" or "breast-cancer", "data", name, "must be generated or breast-cancer");
        }

        Console.WriteLine($"Binary network preset, metric: validation log-loss. Space: {SpaceDescription}. {schedule} learning-rate schedule over {(scheduleEpochs is null ? "each trial's own epochs" : $"{maxEpochs} epochs (every budget a prefix of the full run)")}, {threads} torch threads, sequential trials.");
        Console.WriteLine($"random: {trials} trials x {maxEpochs} epochs; schedulers: epochs [{minEpochs}, {maxEpochs}], eta {eta}, promotions continue from the parent's checkpoint, each run until it has spent {cap} of random's epochs (reaching random's final log-loss later is a miss: speed-up below {F(1 / cap)}x).");
        if (noise > 0 || diagnose > 0)
        {
            foreach (var name in datasets)
            {
                var ml = new MLContext(seed: 0);
                var (train, validation, _, _) = name == "generated" ? Generated(ml, rows) : BreastCancer(ml, breastCancer);
                if (noise > 0)
                {
                    Noise(name, train, validation, noise, trials, maxEpochs, threads, schedule);
                }
                else
                {
                    Diagnose(name, train, validation, diagnose, minEpochs, maxEpochs, eta, threads, schedule, scheduleEpochs);
                }
            }

            return 0;
        }

        var results = new List<SeedResult>();
        var randomRuns = new List<(string Data, RandomRun Run)>();
        foreach (var name in datasets)
        {
            var ml = new MLContext(seed: 0);
            var (train, validation, test, description) = name == "generated" ? Generated(ml, rows) : BreastCancer(ml, breastCancer);
            Console.WriteLine($"{name}: {description}");
            WarmUp(train, validation, threads);
            for (var seed = 0; seed < seeds; seed++)
            {
                var random = RunRandom(train, validation, test, seed, trials, maxEpochs, threads, schedule);
                randomRuns.Add((name, random));
                Console.WriteLine($"  seed {seed} random      log-loss {random.Target:0.0000} (test {random.TestLogLoss:0.0000}) {random.Seconds,6:0.0} s {random.Epochs,5} epochs; best {random.BestParameters}");
                foreach (var method in methods)
                {
                    var run = RunScheduler(method, train, validation, test, seed, random, minEpochs, maxEpochs, eta, threads, schedule, scheduleEpochs, cap, verbose);
                    var row = new SeedResult(name, method, seed, random.Target, random.Seconds, random.Epochs, run.Any, run.Full, run.Seconds, run.Epochs, run.Best, run.Trials, run.Failed, run.FirstError, run.Trace, run.BestParameters, random.TestLogLoss, run.TestLogLoss);
                    results.Add(row);
                    Console.WriteLine($"  seed {seed} {method,-11} best full-budget {(run.Best is double b ? b.ToString("0.0000", CultureInfo.InvariantCulture) : "none")}; target reached, any budget: {Describe(run.Any)}; full budget: {Describe(run.Full)}; returned model's test log-loss {(run.TestLogLoss is double t ? t.ToString("0.0000", CultureInfo.InvariantCulture) : "none")}; ran {run.Seconds:0.0} s, {run.Epochs} epochs, {run.Trials} trials{(run.Failed > 0 ? $" ({run.Failed} failed, first: {run.FirstError})" : "")}; best full-budget {run.BestParameters}");
                }
            }
        }

        var summaries = datasets.SelectMany(d => methods.Select(m => Summarise(d, m, results.Where(r => r.Data == d && r.Method == m).ToList()))).ToList();
        Console.WriteLine();
        Console.WriteLine($"{"data",-14} {"method",-10} | {"full-budget trial reaches target",48} | {"best trial (any budget) reaches target",48} | {"random s",8}");
        Console.WriteLine($"{"",-14} {"",-10} | {"reached",7} {"time mean/median",20} {"epochs mean/median",19} | {"reached",7} {"time mean/median",20} {"epochs mean/median",19} | {"",8}");
        foreach (var s in summaries)
        {
            static string Pair(double? mean, double median) => $"{(mean is double m ? F(m) + "x" : "—")} / {F(median)}x";
            Console.WriteLine($"{s.Data,-14} {s.Method,-10} | {s.FullBudget.Reached + "/" + s.Seeds,7} {Pair(s.FullBudget.MeanTime, s.FullBudget.MedianTime),20} {Pair(s.FullBudget.MeanEpochs, s.FullBudget.MedianEpochs),19} | {s.AnyBudget.Reached + "/" + s.Seeds,7} {Pair(s.AnyBudget.MeanTime, s.AnyBudget.MedianTime),20} {Pair(s.AnyBudget.MeanEpochs, s.AnyBudget.MedianEpochs),19} | {F(s.MedianRandomSeconds),8}");
        }

        Console.WriteLine("speed-up = random search's cost (all its trials) / the scheduler's cost until it first reaches random's final validation log-loss. Mean over the seeds that reached it; median over all seeds, a miss counting as 0x.");
        var averaged = datasets.SelectMany(d => methods.Select(m => AverageCurve(d, m, randomRuns.Where(r => r.Data == d).Select(r => r.Run).ToList(), results.Where(r => r.Data == d && r.Method == m).ToList()))).ToList();
        Console.WriteLine();
        Console.WriteLine($"{"data",-14} {"method",-10} | {"random: mean final",18} {"epochs",6} {"s",6} | {"mean best full-budget curve reaches it at",42} | {"mean best-trial (any budget) curve reaches it at",48}");
        foreach (var a in averaged)
        {
            static string At(double? cost, double randomCost, string unit) => cost is double c ? $"{c.ToString("0.#", CultureInfo.InvariantCulture)} {unit} ({F(randomCost / c)}x)" : "not within the cap";
            Console.WriteLine($"{a.Data,-14} {a.Method,-10} | {a.RandomMeanFinal,18:0.0000} {a.RandomMeanEpochs,6:0} {a.RandomMeanSeconds,6:0.0} | {At(a.Epochs, a.RandomMeanEpochs, "epochs"),20} {At(a.Seconds, a.RandomMeanSeconds, "s"),21} | {At(a.EpochsAnyBudget, a.RandomMeanEpochs, "epochs"),24} {At(a.SecondsAnyBudget, a.RandomMeanSeconds, "s"),23}");
        }

        var testSide = datasets.SelectMany(d => methods.Select(m => TestSide(d, m, results.Where(r => r.Data == d && r.Method == m).ToList()))).ToList();
        Console.WriteLine();
        Console.WriteLine($"{"data",-14} {"method",-14} | test log-loss of the returned model, mean ± se: {"method",17} {"random",17} | method − random");
        foreach (var t in testSide)
        {
            Console.WriteLine($"{t.Data,-14} {t.Method,-14} | {"",47} {Pm(t.Mean, t.StandardError),17} {Pm(t.RandomMean, t.RandomStandardError),17} | {t.Difference}");
        }

        Console.WriteLine("Test side: each experiment's BestModel (its best trial by validation log-loss, at any budget; random search after all its trials, a scheduler at its cap) scored on test rows no method saw. Lower is better; seeds whose scheduler returned no model are left out.");
        Console.WriteLine("Averaged over seeds (as learning curves are compared in the Hyperband paper): the scheduler's best full-budget log-loss so far, averaged over the seeds at equal cost, against random search's final log-loss averaged over the seeds; speed-up = random's mean cost / that cost.");
        File.WriteAllText(output, JsonSerializer.Serialize(new { task = "nn", datasets, seeds, trials, rows, minEpochs, maxEpochs, eta, threads, schedule = schedule.ToString(), horizon, cap, space = SpaceDescription, summaries, averaged, testSide, random = randomRuns.Select(r => new { data = r.Data, r.Run.Target, r.Run.TestLogLoss, r.Run.Seconds, r.Run.Epochs, r.Run.BestParameters, r.Run.Trace }), results }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"JSON: {output}");
        return 0;
    }

    private const string SpaceDescription = "hidden layers 1-2, units 8-128 log, activation, dropout 0-0.5, weight decay 1e-6-1e-2 log, optimizer, momentum 0.5-0.99, learning rate 1e-4-0.1 log, batch size {128, 256, 512}";

    private static HyperparameterSpace Space(int? fixedEpochs)
    {
        var builder = HyperparameterSpace.CreateBuilder()
            .Int(NeuralNetworkPresets.HiddenLayers, 1, 2, defaultValue: 2)
            .Int(NeuralNetworkPresets.Units, 8, 128, logScale: true, defaultValue: 64)
            .Enum<NeuralNetworkActivation>(NeuralNetworkPresets.Activation, NeuralNetworkActivation.ReLU)
            .Double(NeuralNetworkPresets.Dropout, 0, 0.5, defaultValue: 0)
            .Double(NeuralNetworkPresets.WeightDecay, 1e-6, 1e-2, logScale: true, defaultValue: 1e-5)
            .Enum<NeuralNetworkOptimizer>(NeuralNetworkPresets.Optimizer, NeuralNetworkOptimizer.Adam)
            .Double(NeuralNetworkPresets.Momentum, 0.5, 0.99, defaultValue: 0.9)
            .Double(NeuralNetworkPresets.LearningRate, 1e-4, 0.1, logScale: true, defaultValue: 1e-3)
            .Choice(NeuralNetworkPresets.BatchSize, new[] { 128, 256, 512 }, 256);
        return (fixedEpochs is int e ? builder.Constant(NeuralNetworkPresets.Epochs, e) : builder).Build();
    }

    private static TunerFactory Tuner(string method, int minEpochs, int maxEpochs, double eta) => method switch
    {
        "sh" => new TunerFactory("sh", (s, seed) => new SuccessiveHalvingTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta }, seed)),
        "hyperband" => new TunerFactory("hyperband", (s, seed) => new HyperbandTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta }, seed)),
        "asha" => new TunerFactory("asha", (s, seed) => new AshaTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta }, seed)),
        "asha-stopping" => new TunerFactory("asha-stopping", (s, seed) => new AshaTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta, Mode = AshaMode.Stopping }, seed)),
        "bohb" => new TunerFactory("bohb", (s, seed) => new BohbTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta }, seed)),
        "asha-tpe" => new TunerFactory("asha-tpe", (s, seed) => new AshaTuner(s, new() { MinBudget = minEpochs, MaxBudget = maxEpochs, ReductionFactor = eta, Model = ProposalModel.Tpe, SkipUninformativeRungs = true }, seed)),
        _ => throw new ArgumentException($"Unknown method '{method}' in --methods; known: sh, hyperband, asha, asha-stopping, bohb, asha-tpe (TPE proposals, uninformative rungs skipped)."),
    };

    private static TunableEstimator Network(MLContext ml, int? fixedEpochs, int threads, LearningRateSchedule schedule, int? scheduleEpochs = null) =>
        ml.Tuning().BinaryClassification.NeuralNetwork(space: Space(fixedEpochs), configure: o =>
        {
            o.NumberOfThreads = threads;
            o.Schedule = schedule;
            o.ScheduleEpochs = scheduleEpochs;
        });

    private static RandomRun RunRandom(IDataView train, IDataView validation, IDataView test, int seed, int trials, int maxEpochs, int threads, LearningRateSchedule schedule)
    {
        var ml = new MLContext(seed: seed);
        var experiment = ml.Tuning().CreateExperiment(Network(ml, maxEpochs, threads, schedule).ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = trials, Seed = SeedStreams.Baseline(seed) })
            .SetTrainValidationData(train, validation)
            .SetTuner(ml.Tuning().Tuners.Random());
        var trace = new List<TracePoint>();
        var best = double.PositiveInfinity;
        var clock = Stopwatch.StartNew();
        experiment.TrialCompleted += (_, e) =>
        {
            best = Math.Min(best, e.Trial.Value ?? double.PositiveInfinity);
            trace.Add(new TracePoint((trace.Count + 1) * maxEpochs, clock.Elapsed.TotalSeconds, best, best));
        };
        var result = experiment.Run();
        var seconds = clock.Elapsed.TotalSeconds;
        var completed = result.Trials.Count(t => t.State == TrialState.Completed);
        var target = result.BestMetric ?? throw new InvalidOperationException($"Random search, seed {seed}: no trial completed ({result.FirstError}).");
        var testLogLoss = TestLogLoss(ml, result.BestModel!, test);
        return new RandomRun(target, seconds, completed * maxEpochs, trace, result.BestTrial?.Parameters.ToString(), testLogLoss);
    }

    private static SchedulerRun RunScheduler(string method, IDataView train, IDataView validation, IDataView test, int seed, RandomRun random, int minEpochs, int maxEpochs, double eta, int threads, LearningRateSchedule schedule, int? scheduleEpochs, double cap, bool verbose)
    {
        var ml = new MLContext(seed: seed);
        var pipeline = Network(ml, null, threads, schedule, scheduleEpochs).WithBudget("epochs", minEpochs, maxEpochs).ToPipeline();

        // A time cap as well as the epochs cap, in case a scheduler's per-trial overhead is far above random's.
        var experiment = ml.Tuning().CreateExperiment(pipeline, BinaryTuningMetric.LogLoss, options: new() { MaxTrials = null, Seed = SeedStreams.Method(method, seed), TimeBudget = TimeSpan.FromSeconds(Math.Max(30, 2 * cap * random.Seconds)) })
            .SetTrainValidationData(train, validation)
            .SetTuner(Tuner(method, minEpochs, maxEpochs, eta));
        var budgets = new Dictionary<int, double>();
        var clock = new Stopwatch();
        using var stop = new CancellationTokenSource();
        double epochs = 0, best = double.PositiveInfinity, bestAny = double.PositiveInfinity;
        Reach? any = null, full = null;
        var trace = new List<TracePoint>();
        string? bestParameters = null;
        var count = 0;
        var failed = 0;
        string? firstError = null;
        void Spent(TuningTrial trial)
        {
            count++;

            // A trial stopped at a rung (ASHA's stopping mode) trained up to its last report; the tuner's budget and
            // the epochs are the same range here.
            var budget = trial.State == TrialState.Pruned && trial.IntermediateValues.Count > 0 ? trial.IntermediateValues.Keys.Max() : Math.Round(trial.Budget ?? maxEpochs);
            budgets[trial.Id] = budget;
            epochs += budget - (trial.ParentTrialId is int parent ? budgets.GetValueOrDefault(parent) : 0);
            if (trial.Value is double value && budget >= maxEpochs && value < best)
            {
                best = value;
                bestParameters = trial.Parameters.ToString();
            }

            bestAny = Math.Min(bestAny, trial.Value ?? double.PositiveInfinity);
            if (verbose)
            {
                var from = trial.ParentTrialId is int p ? $" from #{p}" : string.Empty;
                Console.WriteLine($"    {method} #{trial.Id}{from}: {budget} epochs, {trial.State}, {(trial.Value is double v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-")}  {trial.Parameters}");
            }
            trace.Add(new TracePoint((int)epochs, clock.Elapsed.TotalSeconds, best, bestAny));

            // Every run goes on to the cap, so that the runs' curves can be averaged over the seeds.
            if (epochs >= cap * random.Epochs)
            {
                stop.Cancel();
            }
        }

        experiment.TrialCompleted += (_, e) =>
        {
            Spent(e.Trial);
            if (e.Trial.Value is not double value)
            {
                return;
            }

            // The experiment's best model is its best trial at any budget; the stricter count waits for a full-budget one.
            if (any is null && value <= random.Target)
            {
                any = new Reach(clock.Elapsed.TotalSeconds, (int)epochs);
            }

            if (full is null && Math.Round(e.Trial.Budget ?? 0) >= maxEpochs && value <= random.Target)
            {
                full = new Reach(clock.Elapsed.TotalSeconds, (int)epochs);
            }
        };
        experiment.TrialPruned += (_, e) => Spent(e.Trial);
        experiment.TrialFailed += (_, e) =>
        {
            // A diverged network spent its epochs too (up to the budget at most).
            failed++;
            firstError ??= e.Trial.Error;
            Spent(e.Trial);
        };
        clock.Start();
        TuningExperimentResult? result = null;
        try
        {
            result = experiment.Run(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose: the cap is spent.
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var testLogLoss = result?.BestModel is { } model ? TestLogLoss(ml, model, test) : (double?)null;
        return new SchedulerRun(any, full, seconds, (int)epochs, double.IsFinite(best) ? best : null, count, failed, firstError, trace, bestParameters, testLogLoss);
    }

    /// <summary>
    /// How predictive short runs are: random configurations trained through the rungs (each continuing the last) and,
    /// for comparison, trained fresh for the full epochs; prints the log-loss at each rung and Spearman's rank
    /// correlation of each rung with the full-budget values.
    /// </summary>
    private static void Diagnose(string name, IDataView train, IDataView validation, int configurations, int minEpochs, int maxEpochs, double eta, int threads, LearningRateSchedule schedule, int? scheduleEpochs)
    {
        var ml = new MLContext(seed: 0);
        var rungs = new List<int>();
        for (double b = maxEpochs; b >= minEpochs - 1e-9; b /= eta)
        {
            rungs.Insert(0, (int)Math.Round(b));
        }

        var space = Space(null);
        var sampler = new RandomTuner(space, null, 7);
        var table = new List<double[]>();
        Console.WriteLine($"{name}: {configurations} random configurations, {schedule}; log-loss at rungs {string.Join(", ", rungs)} (continued) and {maxEpochs} fresh");
        for (var i = 0; i < configurations; i++)
        {
            var parameters = sampler.Propose(i)!.Parameters;
            NeuralNetworkCheckpoint? checkpoint = null;
            var values = new List<double>();
            double Fit(int epochs, NeuralNetworkCheckpoint? from, out NeuralNetworkCheckpoint reached) =>
                FitOnce(ml, train, validation, parameters, epochs, 11, threads, schedule, scheduleEpochs, from, out reached);

            foreach (var rung in rungs)
            {
                values.Add(Fit(rung, checkpoint, out var next));
                checkpoint = next;
            }

            values.Add(Fit(maxEpochs, null, out _));
            table.Add([.. values]);
            Console.WriteLine($"  {string.Join(" ", values.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(9)))}  {parameters}");
        }

        for (var r = 0; r < rungs.Count; r++)
        {
            Console.WriteLine($"  Spearman(rung {rungs[r]}, {maxEpochs} continued) = {Spearman(table.Select(t => t[r]).ToList(), table.Select(t => t[rungs.Count - 1]).ToList()):0.00}; with {maxEpochs} fresh = {Spearman(table.Select(t => t[r]).ToList(), table.Select(t => t[^1]).ToList()):0.00}");
        }
    }

    private static double FitOnce(MLContext ml, IDataView train, IDataView validation, TrialParameters parameters, int epochs, int seed, int threads, LearningRateSchedule schedule, int? scheduleEpochs, NeuralNetworkCheckpoint? from, out NeuralNetworkCheckpoint reached)
    {
        var options = NeuralNetworkPresets.ApplyParameters(new NeuralNetworkBinaryTrainer.Options(), parameters.With(NeuralNetworkPresets.Epochs, epochs));
        options.Schedule = schedule;
        options.ScheduleEpochs = scheduleEpochs;
        options.NumberOfThreads = threads;
        options.Seed = seed;
        options.InitialCheckpoint = from;
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(options).Fit(train);
        reached = model.Checkpoint;
        return ml.BinaryClassification.Evaluate(model.Transform(validation)).LogLoss;
    }

    /// <summary>
    /// How much of random search's best value is luck: random configurations trained for the full epochs, then the
    /// best four trained again with other weight seeds (mean, standard deviation, range of the log-loss).
    /// </summary>
    private static void Noise(string name, IDataView train, IDataView validation, int repeats, int trials, int maxEpochs, int threads, LearningRateSchedule schedule)
    {
        var ml = new MLContext(seed: 0);
        var sampler = new RandomTuner(Space(null), null, 3);
        var configurations = Enumerable.Range(0, trials).Select(i => sampler.Propose(i)!.Parameters).ToList();
        var values = configurations.Select(p => FitOnce(ml, train, validation, p, maxEpochs, 11, threads, schedule, null, null, out _)).ToList();
        Console.WriteLine($"{name}: {trials} random configurations x {maxEpochs} epochs; best {values.Min():0.0000}, median {values.Order().ElementAt(trials / 2):0.0000}. The best four again with {repeats} other weight seeds:");
        foreach (var i in Enumerable.Range(0, trials).OrderBy(i => values[i]).Take(4))
        {
            var again = Enumerable.Range(100, repeats).Select(seed => FitOnce(ml, train, validation, configurations[i], maxEpochs, seed, threads, schedule, null, null, out _)).ToList();
            var mean = again.Average();
            var sd = Math.Sqrt(again.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, again.Count - 1));
            Console.WriteLine($"  {values[i]:0.0000} -> mean {mean:0.0000} sd {sd:0.0000} range [{again.Min():0.0000}, {again.Max():0.0000}]  {configurations[i]}");
        }
    }

    private static double Spearman(List<double> a, List<double> b)
    {
        static double[] Ranks(List<double> v) => v.Select(x => (double)v.Count(y => y < x) + ((v.Count(y => y == x) - 1) / 2.0)).ToArray();
        var (ra, rb) = (Ranks(a), Ranks(b));
        var (ma, mb) = (ra.Average(), rb.Average());
        var cov = ra.Zip(rb).Sum(p => (p.First - ma) * (p.Second - mb));
        return cov / Math.Sqrt(ra.Sum(x => (x - ma) * (x - ma)) * rb.Sum(y => (y - mb) * (y - mb)));
    }

    /// <summary>A short random search, so that JIT compilation and TorchSharp's start-up are not charged to the first method measured.</summary>
    private static void WarmUp(IDataView train, IDataView validation, int threads)
    {
        var ml = new MLContext(seed: 99);
        ml.Tuning().CreateExperiment(Network(ml, 1, threads, LearningRateSchedule.Constant).ToPipeline(), BinaryTuningMetric.LogLoss, options: new() { MaxTrials = 2, Seed = 99 })
            .SetTrainValidationData(train, validation)
            .Run();
    }

    /// <summary>
    /// Generated binary data: twelve features uniform in [-1, 1], six of them informative through a sine
    /// product, two interactions and a ring; the label is drawn with probability sigmoid(4·margin), so the
    /// Bayes error is well above zero and overconfident networks are punished by log-loss. 70/30 train/validation,
    /// and 0.3 × rows more drawn after them as test rows (so the training and validation rows are those of the runs
    /// before the test split was added).
    /// </summary>
    private static (IDataView Train, IDataView Validation, IDataView Test, string Description) Generated(MLContext ml, int rows)
    {
        var random = new Random(20_000);
        var testRows = (int)(0.3 * rows);
        var data = new List<Row>(rows + testRows);
        for (var i = 0; i < rows + testRows; i++)
        {
            var x = new float[GeneratedFeatures];
            for (var j = 0; j < GeneratedFeatures; j++)
            {
                x[j] = (float)((random.NextDouble() * 2) - 1);
            }

            var margin = (1.5 * Math.Sin(2.5 * x[0]) * Math.Cos(2 * x[1])) + (1.2 * x[2] * x[3]) - (0.8 * x[4] * x[5])
                + (1.5 * ((x[0] * x[0]) + (x[4] * x[4]) - 0.65));
            var probability = 1 / (1 + Math.Exp(-4 * margin));
            data.Add(new Row { Label = random.NextDouble() < probability, Features = x });
        }

        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(data.Take(rows)), 0.3, seed: 1);
        var test = ml.Data.LoadFromEnumerable(data.Skip(rows));
        return (ml.Data.Cache(split.TrainSet), ml.Data.Cache(split.TestSet), ml.Data.Cache(test), $"{rows} generated rows, {GeneratedFeatures} features (6 informative, nonlinear; labels drawn from sigmoid(4·margin)), 70/30 train/validation; {testRows} more rows for test.");
    }

    private static (IDataView Train, IDataView Validation, IDataView Test, string Description) BreastCancer(MLContext ml, string? path)
    {
        path ??= FindUpwards(Path.Combine("shared", "data", "breast-cancer.txt"))
            ?? throw new ArgumentException("breast-cancer.txt not found under shared/data in this or a parent directory; pass --breast-cancer PATH.");
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--breast-cancer {path}: no such file.");
        }

        // Tab-separated: label 0/1 then nine features 1-10; "//" lines are comments; missing values become means.
        var raw = ml.Data.LoadFromTextFile(path, [new TextLoader.Column("Label", DataKind.Boolean, 0), new TextLoader.Column("Features", DataKind.Single, 1, 9)], separatorChar: '\t');
        var data = ml.Transforms.ReplaceMissingValues("Features").Fit(raw).Transform(raw);
        // A fifth held out for test first; the rest split 70/30 as before (so fewer training rows than runs before the test split).
        var held = ml.Data.TrainTestSplit(data, 0.2, seed: 2);
        var split = ml.Data.TrainTestSplit(held.TrainSet, 0.3, seed: 1);
        return (ml.Data.Cache(split.TrainSet), ml.Data.Cache(split.TestSet), ml.Data.Cache(held.TestSet), $"{path} ({data.Preview(1000).RowView.Length} rows, 9 features), 20% test, the rest 70/30 train/validation.");
    }

    private static string? FindUpwards(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static MethodSummary Summarise(string data, string method, List<SeedResult> rows)
    {
        // Means over the seeds that reached the target; medians over all seeds, a miss counting as 0x.
        SpeedUps Of(bool full)
        {
            var reached = rows.Where(r => (full ? r.ReachedFullBudget : r.ReachedAnyBudget) is not null).ToList();
            double? Mean(Func<SeedResult, double> speedUp) => reached.Count > 0 ? reached.Average(speedUp) : null;
            return new SpeedUps(reached.Count, Mean(r => r.TimeSpeedUp(full)), Statistics.Median(rows.Select(r => r.TimeSpeedUp(full))), Mean(r => r.EpochSpeedUp(full)), Statistics.Median(rows.Select(r => r.EpochSpeedUp(full))));
        }

        return new MethodSummary(data, method, rows.Count, Of(true), Of(false), Statistics.Median(rows.Select(r => r.Seconds)), Statistics.Median(rows.Select(r => r.RandomSeconds)));
    }

    private static AveragedReach AverageCurve(string data, string method, List<RandomRun> random, List<SeedResult> runs)
    {
        var target = random.Average(r => r.Target);

        // The first cost at which the mean over seeds of the best-so-far (∞ until a seed has one) is at most the target.
        double? Reach(Func<TracePoint, double> cost, Func<TracePoint, double> best)
        {
            foreach (var at in runs.SelectMany(r => r.Trace).Select(cost).Distinct().Order())
            {
                var mean = runs.Average(r => r.Trace.LastOrDefault(p => cost(p) <= at) is { } point ? best(point) : double.PositiveInfinity);
                if (mean <= target)
                {
                    return at;
                }
            }

            return null;
        }

        return new AveragedReach(data, method, target, random.Average(r => r.Epochs), random.Average(r => r.Seconds), Reach(p => p.Epochs, p => p.Best), Reach(p => p.Seconds, p => p.Best), Reach(p => p.Epochs, p => p.BestAnyBudget), Reach(p => p.Seconds, p => p.BestAnyBudget));
    }

    private static double TestLogLoss(MLContext ml, ITransformer model, IDataView test) => ml.BinaryClassification.Evaluate(model.Transform(test)).LogLoss;

    private static TestSideSummary TestSide(string data, string method, List<SeedResult> rows)
    {
        var scored = rows.Where(r => r.TestLogLoss is not null).ToList();
        var values = scored.Select(r => r.TestLogLoss!.Value).ToList();
        var random = scored.Select(r => r.RandomTestLogLoss).ToList();
        double Mean(List<double> v) => v.Count > 0 ? v.Average() : double.NaN;
        var (mean, se, randomMean, randomSe) = (Mean(values), Statistics.StandardError(values), Mean(random), Statistics.StandardError(random));
        return new TestSideSummary(data, method, scored.Count, mean, se, randomMean, randomSe, Statistics.Difference(mean, se, randomMean, randomSe));
    }

    private static string Pm(double mean, double standardError) => string.Create(CultureInfo.InvariantCulture, $"{mean:0.0000} ± {standardError:0.0000}");

    private static string Describe(Reach? reach) => reach is { } r ? $"{r.Seconds:0.0} s, {r.Epochs} epochs" : "no";

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(GeneratedFeatures)]
        public float[] Features { get; set; } = [];
    }

    private sealed record RandomRun(double Target, double Seconds, int Epochs, IReadOnlyList<TracePoint> Trace, string? BestParameters, double TestLogLoss);

    /// <summary>The test log-loss of a method's returned model against random search's, over the seeds where the method returned one.</summary>
    private sealed record TestSideSummary(string Data, string Method, int Seeds, double Mean, double StandardError, double RandomMean, double RandomStandardError, string Difference);

    /// <summary>After a trial: the epochs and seconds spent so far, and the best log-loss so far of a full-budget trial and of any trial (∞ before the first).</summary>
    private sealed record TracePoint(int Epochs, double Seconds, double Best, double BestAnyBudget);

    /// <summary>
    /// Where the scheduler's seed-averaged best-so-far curve (of full-budget trials, and of any trial) reaches random
    /// search's seed-averaged final log-loss; null: not within the cap.
    /// </summary>
    private sealed record AveragedReach(string Data, string Method, double RandomMeanFinal, double RandomMeanEpochs, double RandomMeanSeconds, double? Epochs, double? Seconds, double? EpochsAnyBudget, double? SecondsAnyBudget);

    /// <summary>When the target was reached: seconds since the experiment started and epochs trained by then.</summary>
    private sealed record Reach(double Seconds, int Epochs);

    private sealed record SchedulerRun(Reach? Any, Reach? Full, double Seconds, int Epochs, double? Best, int Trials, int Failed, string? FirstError, IReadOnlyList<TracePoint> Trace, string? BestParameters, double? TestLogLoss);

    private sealed record SeedResult(string Data, string Method, int Seed, double Target, double RandomSeconds, int RandomEpochs, Reach? ReachedAnyBudget, Reach? ReachedFullBudget, double Seconds, int Epochs, double? BestFullBudget, int Trials, int Failed, string? FirstError, IReadOnlyList<TracePoint> Trace, string? BestParameters, double RandomTestLogLoss, double? TestLogLoss)
    {
        public double TimeSpeedUp(bool fullBudget) => (fullBudget ? ReachedFullBudget : ReachedAnyBudget) is { } r ? RandomSeconds / r.Seconds : 0;

        public double EpochSpeedUp(bool fullBudget) => (fullBudget ? ReachedFullBudget : ReachedAnyBudget) is { } r ? (double)RandomEpochs / r.Epochs : 0;
    }

    private sealed record SpeedUps(int Reached, double? MeanTime, double MedianTime, double? MeanEpochs, double MedianEpochs);

    private sealed record MethodSummary(string Data, string Method, int Seeds, SpeedUps FullBudget, SpeedUps AnyBudget, double MedianSeconds, double MedianRandomSeconds);
}
