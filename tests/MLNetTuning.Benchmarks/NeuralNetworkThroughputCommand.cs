using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// Epoch time of the ML.NET neural-network trainer against a plain TorchSharp loop on the same tensors:
/// an MLP of 2×256 ReLU units, Adam, batch 256, binary cross-entropy, on generated rows. Both shuffle with
/// randperm, gather batches with index_select and read the loss every batch; torch threads are set equal.
/// Epochs are interleaved (one plain epoch after each trainer epoch) so that both see the same machine load;
/// both paths are warmed up on a small run first; the first epoch of each (which for the trainer also reads
/// the data view into tensors) is left out, and the figure is the median of the rest.
/// </summary>
public sealed class NeuralNetworkThroughputCommand : IBenchmarkCommand
{
    public string Name => "nn-throughput";

    public string Summary => "MLP 2x256 epoch time: ML.NET trainer vs plain TorchSharp loop (--rows 50000 --features 50 --epochs 8 --threads N --out FILE)";

    public int Run(BenchmarkArguments arguments)
    {
        var rows = arguments.Int("rows", 50_000);
        var width = arguments.Int("features", 50);
        // Eight epochs give seven measured ones after the warm-up: three made the median swing by ±0.05 between runs.
        var epochs = arguments.Int("epochs", 8);
        var units = arguments.Int("units", 256);
        var batch = arguments.Int("batch", 256);
        var threads = arguments.Int("threads", Environment.ProcessorCount);
        var output = arguments.OutputPath("nn-throughput.json");
        arguments.RejectUnknown();
        if (epochs < 2)
        {
            throw new ArgumentException($"--epochs {epochs}: at least 2 are needed (the first is a warm-up).");
        }

        set_num_threads(threads);
        var (features, labels) = Generate(rows, width, seed: 42);


        // Warm both paths up first (.NET tiered JIT of TorchSharp's wrappers, libtorch's kernels and allocator):
        // whichever ran first in the process otherwise pays for it, by several times on a small run.
        var warmRows = Math.Min(rows, 4096);
        Interleaved(features, labels, warmRows, width, units, batch, 2, threads);
        var (ours, plain) = Interleaved(features, labels, rows, width, units, batch, epochs, threads);
        var oursMedian = Statistics.Median(ours.Skip(1));
        var plainMedian = Statistics.Median(plain.Skip(1));
        var ratio = oursMedian / plainMedian;
        var pairedRatio = Statistics.Median(ours.Zip(plain).Skip(1).Select(p => p.First / p.Second));

        Console.WriteLine($"nn-throughput: {rows:N0} rows x {width} features, MLP 2x{units}, batch {batch}, Adam, {epochs} epochs (first is warm-up), torch threads {threads}");
        Console.WriteLine();
        Console.WriteLine($"{"loop",-28} {"median epoch s",15} {"rows/s",12}  epochs (s)");
        Console.WriteLine($"{"ML.NET NeuralNetwork trainer",-28} {oursMedian,15:F3} {rows / oursMedian,12:N0}  {string.Join(" ", ours.Select(e => e.ToString("F3", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"{"plain TorchSharp loop",-28} {plainMedian,15:F3} {rows / plainMedian,12:N0}  {string.Join(" ", plain.Select(e => e.ToString("F3", CultureInfo.InvariantCulture)))}");
        Console.WriteLine();
        Console.WriteLine($"overhead ratio (trainer / plain, medians): {ratio:F3}  (target <= 1.10); median of per-epoch ratios {pairedRatio:F3}");

        var json = new Dictionary<string, object>
        {
            ["benchmark"] = Name,
            ["rows"] = rows,
            ["features"] = width,
            ["hidden_layers"] = new[] { units, units },
            ["batch_size"] = batch,
            ["epochs"] = epochs,
            ["torch_threads"] = threads,
            ["trainer_epoch_seconds"] = ours,
            ["plain_epoch_seconds"] = plain,
            ["trainer_median_epoch_seconds"] = oursMedian,
            ["plain_median_epoch_seconds"] = plainMedian,
            ["overhead_ratio"] = ratio,
            ["median_paired_epoch_ratio"] = pairedRatio,
            ["target_overhead_ratio"] = 1.10,
        };
        File.WriteAllText(output, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {Path.GetFullPath(output)}");
        return 0;
    }

    private static (float[] Features, bool[] Labels) Generate(int rows, int width, int seed)
    {
        var random = SeedMixer.Create(seed, 0);
        var weights = Enumerable.Range(0, width).Select(_ => random.NextDouble() - 0.5).ToArray();
        var features = new float[rows * width];
        var labels = new bool[rows];
        for (var r = 0; r < rows; r++)
        {
            double z = 0;
            for (var f = 0; f < width; f++)
            {
                var x = (float)((random.NextDouble() * 2) - 1);
                features[(r * width) + f] = x;
                z += weights[f] * x;
            }

            labels[r] = z + (0.1 * (random.NextDouble() - 0.5)) > 0;
        }

        return (features, labels);
    }

    /// <summary>
    /// Trains with the ML.NET trainer and, after each of its epochs (inside OnEpochEnd, off its clock), runs
    /// one epoch of the plain loop, so that both see the same machine load, epoch by epoch.
    /// </summary>
    private static (double[] Trainer, double[] Plain) Interleaved(float[] features, bool[] labels, int rows, int width, int units, int batch, int epochs, int threads)
    {
        var ml = new MLContext(seed: 1);
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, rows).Select(r => new Row { Label = labels[r], Features = features.AsSpan(r * width, width).ToArray() }),
            definition);
        using var plain = new PlainLoop(features, labels, rows, width, units, batch);
        var trainerTimes = new List<double>();
        var plainTimes = new List<double>();
        var clock = Stopwatch.StartNew();
        ml.BinaryClassification.Trainers.NeuralNetwork(new NeuralNetworkBinaryTrainer.Options
        {
            HiddenLayerSizes = [units, units],
            BatchSize = batch,
            NumberOfEpochs = epochs,
            LearningRate = 1e-3,
            NumberOfThreads = threads,
            Seed = 1,
            OnEpochEnd = _ =>
            {
                trainerTimes.Add(clock.Elapsed.TotalSeconds);
                plainTimes.Add(plain.Epoch());
                clock.Restart();
                return TrialDecision.Continue;
            },
        }).Fit(data);

        // The trainer's first interval also holds reading the data view into tensors; it is the warm-up epoch.
        return ([.. trainerTimes], [.. plainTimes]);
    }

    /// <summary>The reference: a textbook TorchSharp loop on tensors made from the same rows.</summary>
    private sealed class PlainLoop : IDisposable
    {
        private readonly DisposeScope _scope = NewDisposeScope();
        private readonly Tensor _x;
        private readonly Tensor _y;
        private readonly nn.Module<Tensor, Tensor> _network;
        private readonly optim.Optimizer _optimizer;
        private readonly int _rows;
        private readonly int _batch;

        public PlainLoop(float[] features, bool[] labels, int rows, int width, int units, int batch)
        {
            manual_seed(1);
            _rows = rows;
            _batch = batch;
            _x = tensor(features.AsSpan(0, rows * width).ToArray(), [rows, width]);
            _y = tensor(labels.Take(rows).Select(l => l ? 1f : 0f).ToArray(), [rows]);
            _network = nn.Sequential(nn.Linear(width, units), nn.ReLU(), nn.Linear(units, units), nn.ReLU(), nn.Linear(units, 1));
            _optimizer = optim.Adam(_network.parameters(), 1e-3);
        }

        public double Epoch()
        {
            var clock = Stopwatch.StartNew();
            _network.train();
            using var order = randperm(_rows);
            double total = 0;
            for (var start = 0; start < _rows; start += _batch)
            {
                using var batchScope = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(_batch, _rows - start));
                _optimizer.zero_grad();
                var loss = nn.functional.binary_cross_entropy_with_logits(_network.forward(_x.index_select(0, index)).squeeze(1), _y.index_select(0, index));
                loss.backward();
                _optimizer.step();
                total += loss.item<float>();
            }

            return clock.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            _optimizer.Dispose();
            _network.Dispose();
            _scope.Dispose();
        }
    }

    private sealed class Row
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
