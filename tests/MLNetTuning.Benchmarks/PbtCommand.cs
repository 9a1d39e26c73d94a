using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `pbt --seeds 5`: population-based training of the neural network's learning rate, weight decay, dropout and
/// batch size against random search and ASHA, at equal total epochs, on a generated nonlinear binary problem.
/// Each method picks its model by validation accuracy; the table gives that accuracy and the model's accuracy on a
/// held-out test split, averaged over the seeds.
/// </summary>
public sealed class PbtCommand : IBenchmarkCommand
{
    private const int FeatureCount = 10;

    public string Name => "pbt";

    public string Summary => "PBT vs random search vs ASHA tuning a 2x64 network at equal total epochs (--seeds 5 --rows 20000 --population 8 --interval 2 --epochs 16)";

    public int Run(BenchmarkArguments arguments)
    {
        var seeds = arguments.Int("seeds", 5);
        var rows = arguments.Int("rows", 20000);
        var population = arguments.Int("population", 8);
        var interval = arguments.Int("interval", 2);
        var epochs = arguments.Int("epochs", 16);
        var units = arguments.Int("units", 64);
        var threads = arguments.Int("threads", 2);
        var methods = arguments.String("methods", "random,asha,pbt").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var output = arguments.OutputPath("pbt.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "must be at least 1");
        BenchmarkArguments.Require(rows >= 1000, "rows", rows, "must be at least 1000");
        BenchmarkArguments.Require(population >= 2, "population", population, "must be at least 2");
        BenchmarkArguments.Require(interval >= 1 && epochs >= interval, "interval", interval, $"must be in [1, --epochs {epochs}]");
        BenchmarkArguments.Require(units >= 1 && threads >= 1, "units/threads", $"{units}/{threads}", "must be positive");
        foreach (var method in methods)
        {
            BenchmarkArguments.Require(method is "random" or "asha" or "pbt", "methods", method, "must be random, asha or pbt");
        }

        var totalEpochs = population * epochs;
        var ml = new MLContext(seed: 0);
        var all = ml.Data.LoadFromEnumerable(Generate(rows, seed: 12345));
        var trainRest = ml.Data.TrainTestSplit(all, 0.4, seed: 1);
        var validationTest = ml.Data.TrainTestSplit(trainRest.TestSet, 0.5, seed: 2);
        var (train, validation, test) = (ml.Data.Cache(trainRest.TrainSet), ml.Data.Cache(validationTest.TrainSet), ml.Data.Cache(validationTest.TestSet));

        Console.WriteLine($"Data: {rows} generated rows, {FeatureCount} features (5 informative, nonlinear; 5 noise), 60/20/20 train/validation/test.");
        Console.WriteLine($"Network: {units}x{units} ReLU, AdamW, {threads} torch threads. Searched: learning rate [1e-4, 0.1] log, weight decay [1e-6, 1e-1] log, dropout [0, 0.5], batch size {{64, 128, 256, 512}}.");
        Console.WriteLine($"Budget per method and seed: {totalEpochs} epochs. random: {population} trials x {epochs} epochs; pbt (synchronous, so exactly {totalEpochs} epochs): population {population}, interval {interval}, {epochs} epochs each;");
        Console.WriteLine($"asha: min {interval}, max {epochs} epochs, eta 3, promotions continue from the checkpoint, stopped once {totalEpochs} epochs are spent.");

        var results = new List<RunResult>();
        for (var seed = 0; seed < seeds; seed++)
        {
            foreach (var method in methods)
            {
                var run = RunMethod(method, seed, train, validation, test, population, interval, epochs, units, threads, totalEpochs);
                results.Add(run);
                Console.WriteLine($"  seed {seed} {method,-6} validation {run.Validation:0.0000} test {run.Test:0.0000} epochs {run.Epochs,4} trials {run.Trials,3} {run.Seconds,6:0.0} s");
            }
        }

        var summaries = methods.Select(m =>
        {
            var runs = results.Where(r => r.Method == m).ToList();
            return new MethodSummary(m, runs.Count, runs.Average(r => r.Validation), Statistics.StandardError(runs.Select(r => r.Validation)), runs.Average(r => r.Test), Statistics.StandardError(runs.Select(r => r.Test)), runs.Average(r => r.Epochs), runs.Average(r => r.Seconds));
        }).ToList();

        Console.WriteLine();
        Console.WriteLine($"{"method",-8} {"seeds",5} {"validation accuracy",22} {"test accuracy",22} {"epochs",7} {"seconds",8}");
        foreach (var s in summaries)
        {
            Console.WriteLine($"{s.Method,-8} {s.Seeds,5} {Pm(s.Validation, s.ValidationStandardError),22} {Pm(s.Test, s.TestStandardError),22} {s.Epochs,7:0} {s.Seconds,8:0.0}");
        }

        Console.WriteLine("mean ± standard error over seeds; each method's model is its best trial by validation accuracy.");
        foreach (var (a, b) in summaries.SelectMany(a => summaries.Where(b => string.CompareOrdinal(a.Method, b.Method) < 0).Select(b => (a, b))))
        {
            Console.WriteLine($"{a.Method} − {b.Method}: validation {Statistics.Difference(a.Validation, a.ValidationStandardError, b.Validation, b.ValidationStandardError)}, test {Statistics.Difference(a.Test, a.TestStandardError, b.Test, b.TestStandardError)}");
        }

        File.WriteAllText(output, JsonSerializer.Serialize(new { rows, features = FeatureCount, population, interval, epochs, units, threads, totalEpochs, seeds, summaries, results }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"JSON: {output}");
        return 0;
    }

    private static RunResult RunMethod(string method, int seed, IDataView train, IDataView validation, IDataView test, int population, int interval, int epochs, int units, int threads, int totalEpochs)
    {
        var ml = new MLContext(seed: seed);
        var tuning = ml.Tuning();
        var space = Space(method == "random" ? epochs : null);
        void Fixed(NeuralNetworkOptions options)
        {
            options.HiddenLayerSizes = [units, units];
            options.Optimizer = NeuralNetworkOptimizer.AdamW;
            options.NumberOfThreads = threads;
        }

        var network = tuning.BinaryClassification.NeuralNetwork(space: space, configure: Fixed);

        // ASHA's budgets [interval, epochs] must mean those epochs: without this, they map onto the unit's own range (1–100).
        var pipeline = (method == "asha" ? network.WithBudget("epochs", interval, epochs) : network).ToPipeline();
        var tuner = method switch
        {
            "random" => tuning.Tuners.Random(),
            "pbt" => tuning.Tuners.Pbt(new PbtTunerOptions { PopulationSize = population, PerturbationInterval = interval, MaxBudget = epochs, Synchronous = true }),
            _ => new TunerFactory("asha-capped", (s, tunerSeed) => new EpochCappedTuner(new AshaTuner(s, new AshaTunerOptions { MinBudget = interval, MaxBudget = epochs, ReductionFactor = 3 }, tunerSeed), totalEpochs)),
        };
        var experiment = tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: new() { MaxTrials = method == "random" ? population : null, Seed = method == "random" ? SeedStreams.Baseline(seed) : SeedStreams.Method(method, seed) })
            .SetTrainValidationData(train, validation)
            .SetTuner(tuner);
        var clock = Stopwatch.StartNew();
        var result = experiment.Run();
        clock.Stop();
        var model = result.BestModel; // throws, with the first error, when no trial completed
        var testAccuracy = ml.BinaryClassification.Evaluate(model.Transform(test)).Accuracy;
        return new RunResult(method, seed, result.BestMetric!.Value, testAccuracy, EpochsSpent(result.Trials, epochs), result.Trials.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Epochs actually trained: a continued trial trains only the epochs its parent had not.</summary>
    private static double EpochsSpent(IReadOnlyList<TuningTrial> trials, int fullEpochs)
    {
        var budgets = trials.ToDictionary(t => t.Id, t => t.Budget ?? 0);
        return trials.Where(t => t.State == TrialState.Completed || t.State == TrialState.Pruned)
            .Sum(t => t.Budget is { } budget ? budget - (t.ParentTrialId is int parent ? budgets[parent] : 0) : fullEpochs);
    }

    private static HyperparameterSpace Space(int? fixedEpochs)
    {
        var builder = HyperparameterSpace.CreateBuilder()
            .Double(NeuralNetworkPresets.LearningRate, 1e-4, 0.1, logScale: true, defaultValue: 1e-3)
            .Double(NeuralNetworkPresets.WeightDecay, 1e-6, 1e-1, logScale: true, defaultValue: 1e-4)
            .Double(NeuralNetworkPresets.Dropout, 0, 0.5, defaultValue: 0)
            .Choice(NeuralNetworkPresets.BatchSize, new[] { 64, 128, 256, 512 }, 128);
        return (fixedEpochs is int e ? builder.Constant(NeuralNetworkPresets.Epochs, e) : builder).Build();
    }

    /// <summary>
    /// Ten features in [-1, 1]: the label is a noisy nonlinear rule of the first five (a product of sines, an
    /// interaction, a ring), the other five are noise. About 8 % of labels flip, so regularization matters.
    /// </summary>
    private static IEnumerable<Row> Generate(int rows, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < rows; i++)
        {
            var x = new float[FeatureCount];
            for (var j = 0; j < FeatureCount; j++)
            {
                x[j] = (float)((random.NextDouble() * 2) - 1);
            }

            var margin = (Math.Sin(3 * x[0]) * Math.Cos(3 * x[1])) + (0.8 * x[2] * x[3]) + (0.6 * ((x[4] * x[4]) + (x[0] * x[0]) - 0.6));
            var label = margin > 0;
            yield return new Row { Label = random.NextDouble() < 0.08 ? !label : label, Features = x };
        }
    }

    private static string Pm(double mean, double error) => $"{mean.ToString("0.0000", CultureInfo.InvariantCulture)} ± {error.ToString("0.0000", CultureInfo.InvariantCulture)}";

    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed record RunResult(string Method, int Seed, double Validation, double Test, double Epochs, int Trials, double Seconds);

    private sealed record MethodSummary(string Method, int Seeds, double Validation, double ValidationStandardError, double Test, double TestStandardError, double Epochs, double Seconds);

    /// <summary>ASHA never finishes by itself; this stops it once the epochs trained reach the cap (equal compute).</summary>
    private sealed class EpochCappedTuner(AshaTuner inner, double cap) : IMultiFidelityTuner
    {
        private readonly Dictionary<int, double> _budgets = [];
        private double _spent;

        public HyperparameterSpace Space => inner.Space;

        public bool IsFinished => _spent >= cap;

        public double MinBudget => inner.MinBudget;

        public double MaxBudget => inner.MaxBudget;

        public IReadOnlyList<double> RungBudgets => inner.RungBudgets;

        public bool StopsOnReports => inner.StopsOnReports;

        public TrialProposal? Propose(int trialId) => IsFinished ? null : inner.Propose(trialId);

        public TrialDecision Report(TuningTrial trial, int step, double loss) => inner.Report(trial, step, loss);

        public void Complete(TuningTrial trial)
        {
            var budget = trial.Budget ?? 0;
            _budgets[trial.Id] = budget;
            _spent += budget - (trial.ParentTrialId is int parent ? _budgets.GetValueOrDefault(parent) : 0);
            inner.Complete(trial);
        }
    }
}
