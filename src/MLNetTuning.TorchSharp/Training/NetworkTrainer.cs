using MLNetTuning.Tuners;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The TorchSharp training loop. Reproducibility rests on three things: every random draw comes from the
/// trainer's own generator, reseeded from (seed, epoch) at the start of each epoch (so no random state
/// needs saving); the learning rate is a pure function of the global step; the optimizer state is saved.
/// </summary>
internal static class NetworkTrainer
{
    private const long InitializationStream = -1;
    private const long SplitStream = -2;

    public static TrainingOutcome Train(TrainingData data, NeuralNetworkTask task, NeuralNetworkOptions options, int seed)
    {
        var resume = options.InitialCheckpoint;
        var shape = new NetworkShape(data.Width, [.. options.HiddenLayerSizes], task == NeuralNetworkTask.MulticlassClassification ? data.ClassCount : 1, options.Activation, options.BatchNormalization);
        if (resume is not null)
        {
            CheckResumable(resume, task, shape, options);
            seed = resume.Seed;
        }

        if (options.NumberOfThreads is { } threads)
        {
            set_num_threads(threads);
        }

        var (trainRows, validationRows) = Split(data.Rows, options.ValidationFraction, seed);
        var regressionLabels = task == NeuralNetworkTask.Regression ? Gather(data.Labels, trainRows, 1) : null;
        var scaling = resume?.Scaling ?? FeatureScaling.Fit(Gather(data.Features, trainRows, data.Width), trainRows.Length, data.Width, regressionLabels);

        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)SeedMixer.Mix(seed, InitializationStream));
        var trainX = FeatureTensor(data, trainRows, scaling);
        var trainY = LabelTensor(data, trainRows, task, scaling);
        var validationX = validationRows.Length > 0 ? FeatureTensor(data, validationRows, scaling) : null;
        var validationY = validationRows.Length > 0 ? LabelTensor(data, validationRows, task, scaling) : null;

        using var network = new MultilayerPerceptron(shape, options.Dropout, generator);
        using var optimizer = new NetworkOptimizer(options.Optimizer, network.parameters());
        if (resume is not null)
        {
            LoadState(network, resume);
            using var stream = new MemoryStream(resume.OptimizerState);
            using var reader = new BinaryReader(stream);
            optimizer.Load(reader);
        }

        var epoch = resume?.Epoch ?? 0;
        var best = resume?.BestLoss ?? double.PositiveInfinity;
        var sinceBest = resume?.EpochsWithoutImprovement ?? 0;
        var history = new List<EpochReport>();
        var stopReason = TrainingStopReason.Completed;
        var rows = trainRows.Length;
        var batchSize = Math.Min(options.BatchSize, rows);
        var stepsPerEpoch = (rows + batchSize - 1) / batchSize;
        var finished = false;
        NeuralNetworkCheckpoint Capture() => CaptureCheckpoint(task, shape, options, seed, epoch, best, sinceBest, scaling, network, optimizer);
        NeuralNetworkCheckpoint CaptureDuringCallback() => finished
            ? throw new InvalidOperationException("EpochReport.CreateCheckpoint works only inside OnEpochEnd; after training, use the transformer's Checkpoint.")
            : Capture();

        while (epoch < options.NumberOfEpochs)
        {
            network.train();
            generator.manual_seed(SeedMixer.Mix(seed, epoch));
            double lossSum = 0;
            double learningRate = 0;
            using (var order = randperm(rows, generator: generator))
            {
                for (var step = 0; step < stepsPerEpoch; step++)
                {
                    using var batchScope = NewDisposeScope();
                    var start = step * batchSize;
                    var count = Math.Min(batchSize, rows - start);
                    var index = order.narrow(0, start, count);
                    learningRate = LearningRateCurve.At(options, ((long)epoch * stepsPerEpoch) + step, stepsPerEpoch);
                    optimizer.ZeroGrad();
                    var loss = Loss(task, network.forward(trainX.index_select(0, index)), trainY.index_select(0, index));
                    loss.backward();
                    if (options.GradientClipNorm is { } clip)
                    {
                        nn.utils.clip_grad_norm_(network.parameters(), clip);
                    }

                    optimizer.Step(learningRate, options);
                    lossSum += loss.item<float>() * count;
                }
            }

            epoch++;
            if (!double.IsFinite(lossSum))
            {
                throw new InvalidOperationException(
                    $"Training diverged: the loss is {lossSum / rows} in epoch {epoch} (learning rate {options.LearningRate}, optimizer {options.Optimizer}). Lower the learning rate or clip gradients (GradientClipNorm).");
            }

            double? validationLoss = validationX is null ? null : Evaluate(task, network, validationX, validationY!);
            var report = new EpochReport(epoch, lossSum / rows, validationLoss, learningRate, CaptureDuringCallback);
            if (report.Loss < best)
            {
                best = report.Loss;
                sinceBest = 0;
            }
            else
            {
                sinceBest++;
            }

            history.Add(report);
            if (options.OnEpochEnd?.Invoke(report) == TrialDecision.Stop)
            {
                stopReason = TrainingStopReason.Callback;
                break;
            }

            if (options.EarlyStoppingPatience is { } patience && sinceBest >= patience)
            {
                stopReason = TrainingStopReason.EarlyStopping;
                break;
            }
        }

        var final = Capture();
        finished = true;
        return new TrainingOutcome(final, history, stopReason);
    }

    /// <summary>Mean loss of a whole tensor in evaluation mode (batch norm uses running statistics, no dropout).</summary>
    private static double Evaluate(NeuralNetworkTask task, MultilayerPerceptron network, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var loss = Loss(task, network.forward(x), y).item<float>();
        network.train();
        return loss;
    }

    private static Tensor Loss(NeuralNetworkTask task, Tensor output, Tensor target) => task switch
    {
        NeuralNetworkTask.BinaryClassification => nn.functional.binary_cross_entropy_with_logits(output.squeeze(1), target),
        NeuralNetworkTask.MulticlassClassification => nn.functional.cross_entropy(output, target),
        _ => nn.functional.mse_loss(output.squeeze(1), target),
    };

    private static void CheckResumable(NeuralNetworkCheckpoint checkpoint, NeuralNetworkTask task, NetworkShape shape, NeuralNetworkOptions options)
    {
        void Mismatch(string what, object inCheckpoint, object inOptions) => throw new ArgumentException(
            $"Cannot resume: the checkpoint's {what} is {inCheckpoint}, the options' is {inOptions}.", nameof(NeuralNetworkOptions.InitialCheckpoint));
        if (checkpoint.Task != task)
        {
            Mismatch("task", checkpoint.Task, task);
        }

        if (!checkpoint.Shape.SameAs(shape))
        {
            Mismatch("architecture (inputs → hidden → outputs)", checkpoint.Shape, shape);
        }

        if (checkpoint.Optimizer != options.Optimizer)
        {
            Mismatch("optimizer", checkpoint.Optimizer, options.Optimizer);
        }

        if (checkpoint.ValidationFraction != options.ValidationFraction)
        {
            Mismatch("validation fraction", checkpoint.ValidationFraction, options.ValidationFraction);
        }

        if (options.Seed is { } seed && seed != checkpoint.Seed)
        {
            Mismatch("seed", checkpoint.Seed, seed);
        }
    }

    /// <summary>A seeded hold-out: the validation rows are the first ⌊fraction·n⌋ of a seeded permutation.</summary>
    private static (int[] Train, int[] Validation) Split(int rows, double fraction, int seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        var validationCount = (int)Math.Floor(fraction * rows);
        if (validationCount == 0)
        {
            return (order, []);
        }

        if (rows - validationCount < 1)
        {
            throw new ArgumentException($"ValidationFraction {fraction} leaves no training rows out of {rows}.", nameof(NeuralNetworkOptions.ValidationFraction));
        }

        SeedMixer.Create(seed, SplitStream).Shuffle(order);
        return (order[validationCount..], order[..validationCount]);
    }

    private static float[] Gather(float[] values, int[] rows, int width)
    {
        var result = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(values, (long)rows[i] * width, result, (long)i * width, width);
        }

        return result;
    }

    private static Tensor FeatureTensor(TrainingData data, int[] rows, FeatureScaling scaling)
    {
        var values = Gather(data.Features, rows, data.Width);
        for (var r = 0; r < rows.Length; r++)
        {
            scaling.Apply(values.AsSpan(r * data.Width, data.Width));
        }

        return tensor(values, [rows.Length, data.Width]);
    }

    private static Tensor LabelTensor(TrainingData data, int[] rows, NeuralNetworkTask task, FeatureScaling scaling)
    {
        var labels = Gather(data.Labels, rows, 1);
        switch (task)
        {
            case NeuralNetworkTask.MulticlassClassification:
                return tensor(labels.Select(l => (long)l).ToArray(), [rows.Length]);
            case NeuralNetworkTask.Regression:
                for (var i = 0; i < labels.Length; i++)
                {
                    labels[i] = (float)((labels[i] - scaling.LabelMean) / scaling.LabelStd);
                }

                break;
        }

        return tensor(labels, [rows.Length]);
    }

    private static NeuralNetworkCheckpoint CaptureCheckpoint(
        NeuralNetworkTask task, NetworkShape shape, NeuralNetworkOptions options, int seed, int epoch, double best, int sinceBest,
        FeatureScaling scaling, MultilayerPerceptron network, NetworkOptimizer optimizer)
    {
        var tensors = network.state_dict().Select(entry =>
        {
            using var cpu = entry.Value.detach().contiguous();
            return new NamedTensor(entry.Key, (int)cpu.dtype, cpu.shape, cpu.bytes.ToArray());
        }).ToList();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            optimizer.Save(writer);
        }

        return new NeuralNetworkCheckpoint(task, shape, options.Optimizer, new OptimizerSettings(options.WeightDecay, options.Momentum, options.Nesterov), seed, options.ValidationFraction, epoch, best, sinceBest, scaling, tensors, stream.ToArray());
    }

    private static void LoadState(MultilayerPerceptron network, NeuralNetworkCheckpoint checkpoint)
    {
        var state = network.state_dict();
        using var noGrad = no_grad();
        foreach (var saved in checkpoint.Tensors)
        {
            if (!state.TryGetValue(saved.Name, out var target) || (int)target.dtype != saved.ElementType || !target.shape.SequenceEqual(saved.Shape))
            {
                throw new ArgumentException($"The checkpoint's state entry '{saved.Name}' does not fit the network.", nameof(NeuralNetworkOptions.InitialCheckpoint));
            }

            target.bytes = saved.Data;
        }
    }
}
