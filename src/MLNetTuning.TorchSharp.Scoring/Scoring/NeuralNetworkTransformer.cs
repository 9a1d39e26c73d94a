using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// A trained network as an ML.NET transformer. It adds the columns ML.NET's own trainers add, so
/// <c>mlContext.*.Evaluate</c> works unchanged: binary Score (logit), Probability, PredictedLabel (Boolean);
/// multiclass Score (class probabilities) and PredictedLabel (a key with the label's key values); regression
/// Score. Scoring runs in managed code (no libtorch), so it is fast per row and safe on any thread.
/// </summary>
/// <remarks>
/// It saves with <c>mlContext.Model.Save</c>. Load it with <c>mlContext.Model.LoadTunedModel(path, out schema)</c>
/// (the MLNetTuning.TorchSharp.Scoring package, no TorchSharp needed), or call
/// <c>mlContext.ComponentCatalog.RegisterNeuralNetworks()</c> before <c>mlContext.Model.Load</c>.
/// </remarks>
public sealed class NeuralNetworkTransformer : ITransformer, ICanSaveModel
{
    internal const string LoaderSignature = "MLNTNeuralNetwork";
    private const string ModelSignature = "MLNTNNET";
    private const int PayloadVersion = 1;

    internal NeuralNetworkTransformer(NeuralNetworkTask task, string featureColumnName, NeuralNetworkCheckpoint checkpoint, LabelKeyValues? keyValues, IReadOnlyList<EpochReport> history, TrainingStopReason stopReason)
    {
        Task = task;
        FeatureColumnName = featureColumnName;
        Checkpoint = checkpoint;
        KeyValues = keyValues;
        History = history;
        StopReason = stopReason;
        Weights = NetworkWeights.From(checkpoint);
    }

    /// <summary>What the network predicts.</summary>
    public NeuralNetworkTask Task { get; }

    /// <summary>The feature column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The training state at the end of training; resume from it with <c>NeuralNetworkOptions.InitialCheckpoint</c>.</summary>
    public NeuralNetworkCheckpoint Checkpoint { get; }

    /// <summary>Epochs the network has been trained for in all, including those of a resumed checkpoint.</summary>
    public int EpochsTrained => Checkpoint.Epoch;

    /// <summary>One report per epoch trained by the Fit that made this transformer (empty after loading).</summary>
    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>Why training ended.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>Always true: the network maps each row on its own.</summary>
    public bool IsRowToRowMapper => true;

    internal NetworkWeights Weights { get; }

    internal LabelKeyValues? KeyValues { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetRowToRowMapper(inputSchema).OutputSchema;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new NeuralNetworkRowMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredDataView(input, new NeuralNetworkRowMapper(this, input.Schema));
    }

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        MLNetModelFormat.Save(ctx, ModelSignature, LoaderSignature, writer =>
        {
            writer.Write(PayloadVersion);
            writer.Write((int)Task);
            writer.Write(FeatureColumnName);
            writer.Write((int)StopReason);
            writer.Write(KeyValues is not null);
            KeyValues?.Write(writer);
            Checkpoint.Write(writer);
        });
    }

    /// <summary>Adds the model loader to <paramref name="catalog"/> (idempotent).</summary>
    internal static void RegisterLoader(ComponentCatalog catalog) =>
        MLNetModelFormat.RegisterLoader(catalog, typeof(NeuralNetworkTransformer), LoaderSignature, typeof(NeuralNetworkTransformer).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!);

    /// <summary>ML.NET's loader entry point; <paramref name="loadContext"/> is ML.NET's internal <c>ModelLoadContext</c>.</summary>
    internal static NeuralNetworkTransformer Create(IHostEnvironment env, object loadContext) => Read(MLNetModelFormat.ReaderOf(loadContext));

    /// <summary>Reads the payload <see cref="ICanSaveModel.Save"/> wrote, checking every length against the stream.</summary>
    /// <exception cref="InvalidDataException">The payload is truncated, damaged or of another version: the only exception a damaged model gives.</exception>
    internal static NeuralNetworkTransformer Read(BinaryReader reader)
    {
        try
        {
            return ReadUnguarded(reader);
        }
        catch (Exception e) when (ModelFileReading.IsDamage(e) && e is not InvalidDataException)
        {
            throw new InvalidDataException($"The neural-network model is truncated or damaged: {e.Message}", e);
        }
    }

    private static NeuralNetworkTransformer ReadUnguarded(BinaryReader reader)
    {
        var version = reader.ReadInt32();
        if (version != PayloadVersion)
        {
            throw new InvalidDataException($"Neural-network model payload version {version} is not supported (this build reads version {PayloadVersion}).");
        }

        var task = ModelFileReading.Defined<NeuralNetworkTask>(reader.ReadInt32(), "the task");
        var feature = reader.ReadString();
        var stopReason = ModelFileReading.Defined<TrainingStopReason>(reader.ReadInt32(), "the stop reason");
        var keyValues = reader.ReadBoolean() ? LabelKeyValues.Read(reader) : null;
        var checkpoint = NeuralNetworkCheckpoint.ReadGuarded(reader);
        return new NeuralNetworkTransformer(task, feature, checkpoint, keyValues, [], stopReason);
    }
}
