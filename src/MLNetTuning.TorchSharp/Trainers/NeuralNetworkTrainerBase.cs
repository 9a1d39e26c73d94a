using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// What the three neural-network trainers share: checks, reading the data, the TorchSharp training loop and
/// building the <see cref="NeuralNetworkTransformer"/>.
/// </summary>
public abstract class NeuralNetworkTrainerBase : IEstimator<NeuralNetworkTransformer>
{
    private readonly NeuralNetworkOptions _options;
    private readonly int _seed;

    private protected NeuralNetworkTrainerBase(NeuralNetworkTask task, NeuralNetworkOptions options, IHostEnvironment? environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Task = task;
        _options = options;

        // Like ML.NET's trainers, take the seed from the context when the options have none, so that
        // new MLContext(seed) makes the whole pipeline reproducible.
        _seed = options.Seed ?? environment?.Register("NeuralNetwork").Rand.Next() ?? 0;
        if (environment is not null)
        {
            try
            {
                NeuralNetworkTransformer.RegisterLoader(environment.ComponentCatalog);
            }
            catch (InvalidOperationException)
            {
                // Only loading needs the loader, and ComponentCatalogExtensions.RegisterNeuralNetworks reports the cause there.
            }
        }
    }

    /// <summary>What the trainer predicts.</summary>
    public NeuralNetworkTask Task { get; }

    /// <summary>Trains the network on <paramref name="input"/> (resuming from <see cref="NeuralNetworkOptions.InitialCheckpoint"/> when set).</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, a feature is NaN or infinite, the data is empty,
    /// or the checkpoint does not fit the options.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded (the message names the missing library and the fix).</exception>
    public NeuralNetworkTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.Validate();
        var data = TrainingData.Read(input, Task, _options);
        var label = input.Schema[_options.LabelColumnName];
        var keyValues = Task == NeuralNetworkTask.MulticlassClassification ? LabelKeyValues.From(label) : null;
        TorchSharpRuntime.EnsureLoaded();
        var outcome = NetworkTrainer.Train(data, Task, _options, _seed);
        return new NeuralNetworkTransformer(Task, _options.FeatureColumnName, outcome.Checkpoint, keyValues, outcome.History, outcome.StopReason);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnChecks.Check(inputSchema, Task, _options);
        var columns = inputSchema.ToDictionary(c => c.Name);
        void Add(string name, SchemaShape.Column.VectorKind kind, DataViewType type, bool isKey = false, SchemaShape? annotations = null) =>
            columns[name] = MLNetModelFormat.ShapeColumn(name, kind, type, isKey, annotations);
        switch (Task)
        {
            case NeuralNetworkTask.BinaryClassification:
                Add("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single);
                Add("Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single);
                Add("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance);
                break;
            case NeuralNetworkTask.MulticlassClassification:
                var label = columns[_options.LabelColumnName];
                Add("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single);
                Add("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, isKey: true, new SchemaShape(label.Annotations.Where(a => a.Name == "KeyValues")));
                break;
            default:
                Add("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single);
                break;
        }

        return new SchemaShape(columns.Values);
    }
}
