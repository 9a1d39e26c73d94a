using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// Binds a <see cref="NeuralNetworkTransformer"/> to an input schema: the output schema is the input's columns
/// followed by the prediction columns (which hide input columns of the same name, as in ML.NET).
/// </summary>
internal sealed class NeuralNetworkRowMapper : IRowToRowMapper
{
    public NeuralNetworkRowMapper(NeuralNetworkTransformer transformer, DataViewSchema inputSchema)
    {
        Transformer = transformer;
        InputSchema = inputSchema;
        var column = inputSchema.GetColumnOrNull(transformer.FeatureColumnName)
            ?? throw new ArgumentException($"The feature column '{transformer.FeatureColumnName}' is not in the data. Columns: {string.Join(", ", inputSchema.Where(c => !c.IsHidden).Select(c => c.Name))}.", nameof(inputSchema));
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != transformer.Weights.InputSize)
        {
            throw new ArgumentException($"The feature column '{transformer.FeatureColumnName}' must be a vector of {transformer.Weights.InputSize} Single values, as in training, but is {column.Type}.", nameof(inputSchema));
        }

        FeatureColumn = column;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var (name, type, annotations) in OutputColumns())
        {
            builder.AddColumn(name, type, annotations);
        }

        OutputSchema = builder.ToSchema();
    }

    public NeuralNetworkTransformer Transformer { get; }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public DataViewSchema.Column FeatureColumn { get; }

    /// <summary>Index of the first prediction column in <see cref="OutputSchema"/>.</summary>
    public int FirstOutputIndex => InputSchema.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new List<DataViewSchema.Column>();
        var scores = false;
        foreach (var column in dependingColumns)
        {
            if (column.Index >= FirstOutputIndex)
            {
                scores = true;
            }
            else
            {
                needed.Add(InputSchema[column.Index]);
            }
        }

        if (scores && !needed.Any(c => c.Index == FeatureColumn.Index))
        {
            needed.Add(FeatureColumn);
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoringRow(this, input, activeColumns);

    private IEnumerable<(string Name, DataViewType Type, DataViewSchema.Annotations Annotations)> OutputColumns()
    {
        var classes = Transformer.Weights.OutputSize;
        switch (Transformer.Task)
        {
            case NeuralNetworkTask.BinaryClassification:
                yield return ("Score", NumberDataViewType.Single, Kinds("BinaryClassification", "Score"));
                yield return ("Probability", NumberDataViewType.Single, Kinds("BinaryClassification", "Probability"));
                yield return ("PredictedLabel", BooleanDataViewType.Instance, Kinds("BinaryClassification", "PredictedLabel"));
                break;
            case NeuralNetworkTask.MulticlassClassification:
                yield return ("Score", new VectorDataViewType(NumberDataViewType.Single, classes), Kinds("MulticlassClassification", "Score", slotNames: true));
                yield return ("PredictedLabel", new KeyDataViewType(typeof(uint), classes), Kinds("MulticlassClassification", "PredictedLabel", keyValues: true));
                break;
            default:
                yield return ("Score", NumberDataViewType.Single, Kinds("Regression", "Score"));
                break;
        }
    }

    private DataViewSchema.Annotations Kinds(string columnKind, string valueKind, bool slotNames = false, bool keyValues = false)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (slotNames)
        {
            Transformer.KeyValues?.AddTo(builder, asSlotNames: true);
        }

        if (keyValues)
        {
            Transformer.KeyValues?.AddTo(builder, asSlotNames: false);
        }

        builder.Add("ScoreColumnKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = columnKind.AsMemory());
        builder.Add("ScoreValueKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        return builder.ToAnnotations();
    }
}
