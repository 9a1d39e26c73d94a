using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `honesty`: are the test intervals of a confirmed experiment right, and how much does the best validation score
/// flatter? Each repeat draws its own data (train, validation, test) from one generator and runs the library's
/// experiment (SetTrainValidationSplit + SetTestFraction, random search over three linear trainers, accuracy),
/// resumed to 10, 30 and 100 trials. A population of 1,000,000 rows from the same generator gives every model's true
/// accuracy. Coverage: the share of repeats whose 95% test interval (of the refitted winner after the last
/// checkpoint) holds its true accuracy. Width ratio: the mean interval width over 3.92 times the standard deviation
/// of test minus true accuracy. Test bias: the mean of test minus true. Optimism: best validation accuracy minus the
/// true accuracy of that same model (fitted on the training rows), at each checkpoint, over the same repeats.
/// </summary>
public sealed class HonestyCommand : IBenchmarkCommand
{
    private const int FeatureCount = 6;
    private static readonly int[] Checkpoints = [10, 30, 100];

    public string Name => "honesty";

    public string Summary => "coverage and width of the test intervals, test bias, validation optimism: --repeats 400 --trials 100 --rows 1000 --population 1000000 --threads 2 --seed 0 --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var repeats = arguments.Int("repeats", 400);
        var trials = arguments.Int("trials", 100);
        var rows = arguments.Int("rows", 1000);
        var populationRows = arguments.Int("population", 1_000_000);
        var seed = arguments.Int("seed", 0);
        var output = arguments.String("out", Path.Combine("out", "benchmarks", "honesty.json"));
        var verbose = arguments.Flag("verbose");
        var threads = arguments.Int("threads", 2);
        arguments.RejectUnknown();
        BenchmarkArguments.Require(repeats >= 2, "repeats", repeats, "at least 2");
        BenchmarkArguments.Require(rows >= 200, "rows", rows, "at least 200");
        BenchmarkArguments.Require(trials >= 1, "trials", trials, "at least 1");

        // The study is resumed to each checkpoint up to --trials, so that every repeat gives the optimism at each.
        var checkpoints = Checkpoints.Where(c => c < trials).Append(trials).ToArray();
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed);
        var (population, populationLabels) = Population(ml, populationRows, seed);
        var records = new RepeatRecord[repeats];
        var finished = 0;
        Parallel.For(0, repeats, new ParallelOptions { MaxDegreeOfParallelism = threads }, r =>
        {
            var record = Repeat(population, populationLabels, rows, dataSeed: (seed * 100_003) + r + 1, checkpoints);
            records[r] = record;
            var count = Interlocked.Increment(ref finished);
            if (verbose || count % 25 == 0)
            {
                // The running figures so far, so that a run cut short still says what it measured.
                var done = records.Where(x => x is not null).ToList();
                var covered = done.Average(x => x.Low <= x.True && x.True <= x.High ? 1.0 : 0.0);
                var bias = done.Average(x => x.Test - x.True);
                var optimismSoFar = string.Join(", ", checkpoints.Select(c => string.Create(CultureInfo.InvariantCulture, $"{done.Average(x => x.Optimism[c]):F4} at {c}")));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeat {count}/{repeats}: test {record.Test:F4} [{record.Low:F4}, {record.High:F4}] true {record.True:F4}; so far coverage {covered:F3}, width ratio {WidthRatio(done):F3}, bias {bias:+0.0000;-0.0000}, optimism {optimismSoFar}; {clock.Elapsed.TotalSeconds:F0} s"));
            }
        });

        var errors = records.Select(x => x.Test - x.True).ToList();
        var coverage = records.Average(x => x.Low <= x.True && x.True <= x.High ? 1.0 : 0.0);
        var errorSd = Math.Sqrt(errors.Sum(e => e * e) / errors.Count);
        var widthRatio = WidthRatio(records);
        var bias = errors.Average();
        var optimism = checkpoints.ToDictionary(c => c, c => records.Average(x => x.Optimism[c]));
        var optimismText = string.Join(", ", checkpoints.Reverse().Select(c => string.Create(CultureInfo.InvariantCulture, $"{optimism[c]:F4} at {c} trials")));
        var line = string.Create(CultureInfo.InvariantCulture, $"honesty: coverage {coverage:F3} (nominal 0.95), width ratio {widthRatio:F3}, test bias {bias:+0.0000;-0.0000}, mean optimism {optimismText} ({repeats} repeats)");
        Console.WriteLine(line);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["benchmark"] = "honesty",
            ["line"] = line,
            ["repeats"] = repeats,
            ["rows_per_repeat"] = rows,
            ["trials"] = trials,
            ["checkpoints"] = checkpoints,
            ["population_rows"] = populationRows,
            ["metric"] = "Accuracy",
            ["interval"] = "95% percentile bootstrap, 1000 resamples, stratified by class with the class mix resampled; refitted winner after the last checkpoint",
            ["coverage"] = coverage,
            ["width_ratio"] = widthRatio,
            ["test_bias"] = bias,
            ["test_error_sd"] = errorSd,
            ["mean_optimism"] = optimism.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
            ["optimism_standard_error"] = optimism.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => StandardError(records.Select(x => x.Optimism[kv.Key]).ToList())),
            ["targets"] = new Dictionary<string, object>
            {
                ["coverage_in_0.90_0.98"] = coverage is >= 0.90 and <= 0.98,
                ["width_ratio_at_most_1.25"] = widthRatio <= 1.25,
                ["abs_test_bias_at_most_0.005"] = Math.Abs(bias) <= 0.005,
            },
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["repeats_detail"] = records,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    /// <summary>One repeat: fresh data, one study resumed to each checkpoint, the true accuracy of the models it gives.</summary>
    private static RepeatRecord Repeat(IDataView population, bool[] populationLabels, int rows, int dataSeed, int[] checkpoints)
    {
        var ml = new MLContext(dataSeed);
        var data = ml.Data.LoadFromEnumerable(Generate(rows, dataSeed));
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(
            tuning.BinaryClassification.LbfgsLogisticRegression(),
            tuning.BinaryClassification.AveragedPerceptron(),
            tuning.BinaryClassification.LinearSvm());
        var store = new InMemoryTrialStore();
        var optimism = new Dictionary<int, double>();
        var done = 0;
        TuningExperimentResult? last = null;
        foreach (var checkpoint in checkpoints)
        {
            var options = new TuningExperimentOptions { MaxTrials = checkpoint - done, Seed = dataSeed, Store = store, StudyName = "honesty", ConfirmTopTrials = 1 };
            last = tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: options)
                .SetTrainValidationSplit(data, 0.25)
                .SetTestFraction(0.2)
                .Run();
            if (last.Trials.Count != checkpoint || last.Confirmation is null)
            {
                throw new InvalidOperationException($"Repeat {dataSeed}: expected {checkpoint} trials and a confirmation, got {last.Trials.Count} trials; first error: {last.FirstError}");
            }

            var best = last.Confirmation.Best;
            optimism[checkpoint] = best.ValidationMetric - TrueAccuracy(best.TrainOnlyModel, population, populationLabels);
            done = checkpoint;
        }

        var confirmed = last!.Confirmation!.Best;
        var truth = TrueAccuracies(last.BestModel!, population, populationLabels);
        return new RepeatRecord(dataSeed, confirmed.Trainer, confirmed.TestMetric.Value, confirmed.TestMetric.Low, confirmed.TestMetric.High, truth.Overall, truth.OnPositives, truth.OnNegatives, optimism);
    }

    private static double WidthRatio(IReadOnlyCollection<RepeatRecord> records)
    {
        var errorSd = Math.Sqrt(records.Sum(x => (x.Test - x.True) * (x.Test - x.True)) / records.Count);
        return records.Average(x => x.High - x.Low) / (3.92 * errorSd);
    }

    private static double StandardError(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) / values.Count);
    }

    private static double TrueAccuracy(ITransformer model, IDataView population, bool[] labels) => TrueAccuracies(model, population, labels).Overall;

    /// <summary>The model's accuracy on the population, and on its positive and its negative rows.</summary>
    private static (double Overall, double OnPositives, double OnNegatives) TrueAccuracies(ITransformer model, IDataView population, bool[] labels)
    {
        var predicted = model.Transform(population).GetColumn<bool>("PredictedLabel");
        long rightPositives = 0, rightNegatives = 0, positives = 0;
        var i = 0;
        foreach (var p in predicted)
        {
            var label = labels[i++];
            positives += label ? 1 : 0;
            rightPositives += label && p ? 1 : 0;
            rightNegatives += !label && !p ? 1 : 0;
        }

        return ((double)(rightPositives + rightNegatives) / labels.Length, (double)rightPositives / positives, (double)rightNegatives / (labels.Length - positives));
    }

    private static (IDataView View, bool[] Labels) Population(MLContext ml, int rows, int seed)
    {
        // Far from the repeats' seeds (1, 2, ...): new Random(-s) is new Random(s), so a negative seed would not do.
        var generated = Generate(rows, int.MaxValue - 1 - seed);
        return (ml.Data.Cache(ml.Data.LoadFromEnumerable(generated)), generated.Select(r => r.Label).ToArray());
    }

    /// <summary>Six standard-normal features; the label is drawn from a logistic model with an interaction, so the
    /// best linear model reaches about 0.75 accuracy and trainers and settings differ a little.</summary>
    private static List<GeneratedRow> Generate(int rows, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var list = new List<GeneratedRow>(rows);
        for (var i = 0; i < rows; i++)
        {
            var x = new float[FeatureCount];
            for (var j = 0; j < FeatureCount; j++)
            {
                x[j] = (float)Normal();
            }

            var logit = (1.2 * x[0]) - (0.8 * x[1]) + (0.5 * x[2]) + (0.3 * x[3]) + (0.6 * x[0] * x[1]);
            list.Add(new GeneratedRow { Features = x, Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) });
        }

        return list;
    }

    private sealed class GeneratedRow
    {
        public bool Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>One repeat: the winner's test accuracy and interval, its true accuracy overall and per class (the
    /// per-class figures show how much of the test variance comes from the test rows' class mix), the optimism at each
    /// checkpoint.</summary>
    private sealed record RepeatRecord(int DataSeed, string? Trainer, double Test, double Low, double High, double True, double TrueOnPositives, double TrueOnNegatives, Dictionary<int, double> Optimism);
}
