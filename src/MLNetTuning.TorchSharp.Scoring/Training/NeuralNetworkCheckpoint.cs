using System.Text;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The whole training state of a network after some epochs: weights (with batch-norm statistics), optimizer
/// state, the epoch reached, the feature and label scaling, and the early-stopping counters. Random state is
/// not stored because every random draw derives from (seed, epoch). Hand it to
/// <c>NeuralNetworkOptions.InitialCheckpoint</c> to train on; a run resumed at epoch k and trained to n
/// equals an uninterrupted n-epoch run.
/// </summary>
public sealed class NeuralNetworkCheckpoint
{
    private const string Magic = "MLNTNNCK";
    private const int FormatVersion = 1;

    internal NeuralNetworkCheckpoint(
        NeuralNetworkTask task,
        NetworkShape shape,
        NeuralNetworkOptimizer optimizer,
        OptimizerSettings optimizerSettings,
        int seed,
        double validationFraction,
        int epoch,
        double bestLoss,
        int epochsWithoutImprovement,
        FeatureScaling scaling,
        IReadOnlyList<NamedTensor> tensors,
        byte[] optimizerState)
    {
        Task = task;
        Shape = shape;
        Optimizer = optimizer;
        OptimizerSettings = optimizerSettings;
        Seed = seed;
        ValidationFraction = validationFraction;
        Epoch = epoch;
        BestLoss = bestLoss;
        EpochsWithoutImprovement = epochsWithoutImprovement;
        Scaling = scaling;
        Tensors = tensors;
        OptimizerState = optimizerState;
    }

    /// <summary>The task the network was trained for.</summary>
    public NeuralNetworkTask Task { get; }

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; }

    /// <summary>The seed every random draw derives from.</summary>
    public int Seed { get; }

    /// <summary>The optimizer whose state is kept.</summary>
    public NeuralNetworkOptimizer Optimizer { get; }

    /// <summary>Feature count of the input.</summary>
    public int InputSize => Shape.InputSize;

    /// <summary>Outputs of the last layer: classes for multiclass, 1 otherwise.</summary>
    public int OutputSize => Shape.OutputSize;

    /// <summary>Hidden layer sizes.</summary>
    public IReadOnlyList<int> HiddenLayerSizes => Shape.HiddenLayerSizes;

    /// <summary>Best loss seen by early stopping (validation loss, else training loss).</summary>
    public double BestLoss { get; }

    internal NetworkShape Shape { get; }

    /// <summary>The optimizer hyperparameters the checkpointed run used last (a resumed run may change them).</summary>
    internal OptimizerSettings OptimizerSettings { get; }

    internal double ValidationFraction { get; }

    internal int EpochsWithoutImprovement { get; }

    internal FeatureScaling Scaling { get; }

    internal IReadOnlyList<NamedTensor> Tensors { get; }

    internal byte[] OptimizerState { get; }

    /// <summary>Writes the checkpoint to a stream (left open).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        Write(writer);
    }

    /// <summary>Writes the checkpoint to a file (replaced if present).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.Create(path);
        Save(file);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save(Stream)"/>. Every length in it is checked against what
    /// remains in the stream, so a truncated, damaged or crafted file is refused without exhausting memory.</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a whole, undamaged checkpoint of this format;
    /// this is the only exception a damaged stream gives.</exception>
    public static NeuralNetworkCheckpoint Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        return ReadGuarded(reader);
    }

    /// <summary>Reads a checkpoint, turning every way a damaged stream can fail into an <see cref="InvalidDataException"/>.</summary>
    internal static NeuralNetworkCheckpoint ReadGuarded(BinaryReader reader)
    {
        try
        {
            return Read(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The stream ends before the checkpoint does: it is truncated or not a neural-network checkpoint.", e);
        }
        catch (Exception e) when (ModelFileReading.IsDamage(e))
        {
            throw new InvalidDataException($"The checkpoint is damaged: {e.Message}", e);
        }
    }

    /// <summary>Reads a checkpoint file written by <see cref="Save(string)"/>.</summary>
    public static NeuralNetworkCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        return Load(file);
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((int)Task);
        Shape.Write(writer);
        writer.Write((int)Optimizer);
        writer.Write(OptimizerSettings.WeightDecay);
        writer.Write(OptimizerSettings.Momentum);
        writer.Write(OptimizerSettings.Nesterov);
        writer.Write(Seed);
        writer.Write(ValidationFraction);
        writer.Write(Epoch);
        writer.Write(BestLoss);
        writer.Write(EpochsWithoutImprovement);
        Scaling.Write(writer);
        writer.Write(Tensors.Count);
        foreach (var tensor in Tensors)
        {
            tensor.Write(writer);
        }

        writer.Write(OptimizerState.Length);
        writer.Write(OptimizerState);
    }

    internal static NeuralNetworkCheckpoint Read(BinaryReader reader)
    {
        var magic = reader.ReadString();
        if (magic != Magic)
        {
            throw new InvalidDataException($"Not a neural-network checkpoint (found '{magic}' where '{Magic}' was expected).");
        }

        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint format version {version} is not supported (this build reads version {FormatVersion}).");
        }

        var task = ModelFileReading.Defined<NeuralNetworkTask>(reader.ReadInt32(), "the task");
        var shape = NetworkShape.Read(reader);
        var optimizer = ModelFileReading.Defined<NeuralNetworkOptimizer>(reader.ReadInt32(), "the optimizer");
        var settings = new OptimizerSettings(reader.ReadDouble(), reader.ReadDouble(), reader.ReadBoolean());
        var seed = reader.ReadInt32();
        var validationFraction = reader.ReadDouble();
        var epoch = reader.ReadInt32();
        var bestLoss = reader.ReadDouble();
        var sinceBest = reader.ReadInt32();
        var scaling = FeatureScaling.Read(reader);
        if (scaling.Mean.Length != shape.InputSize)
        {
            throw new InvalidDataException($"The checkpoint is damaged: its feature scaling has {scaling.Mean.Length} features, its network {shape.InputSize} inputs.");
        }

        // A state entry takes at least 13 bytes: a name's length, the element type, the rank and the data length.
        var count = ModelFileReading.ReadCount(reader, 13, "the list of state entries");
        var tensors = new NamedTensor[count];
        for (var i = 0; i < count; i++)
        {
            tensors[i] = NamedTensor.Read(reader);
        }

        var optimizerState = ModelFileReading.ReadBytes(reader, "the optimizer state");
        return new NeuralNetworkCheckpoint(task, shape, optimizer, settings, seed, validationFraction, epoch, bestLoss, sinceBest, scaling, tensors, optimizerState);
    }
}
