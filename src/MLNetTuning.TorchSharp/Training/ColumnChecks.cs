using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>The input the trainers accept, checked up front with messages that name the column and what was found.</summary>
internal static class ColumnChecks
{
    public static (DataViewSchema.Column Column, int Width) Features(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The feature column '{name}' is not in the data. Columns: {Names(schema)}.", "data");
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: > 0 } vector || item != NumberDataViewType.Single)
        {
            throw new ArgumentException($"The feature column '{name}' must be a known-size vector of Single, but is {column.Type}. Use mlContext.Transforms.Concatenate to build it.", "data");
        }

        return (column, vector.Size);
    }

    public static DataViewSchema.Column Label(DataViewSchema schema, string name, NeuralNetworkTask task, out int classCount)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The label column '{name}' is not in the data. Columns: {Names(schema)}.", "data");
        classCount = 1;
        switch (task)
        {
            case NeuralNetworkTask.BinaryClassification when column.Type != BooleanDataViewType.Instance:
                throw new ArgumentException($"Binary classification needs a Boolean label, but '{name}' is {column.Type}.", "data");
            case NeuralNetworkTask.MulticlassClassification:
                if (column.Type is not KeyDataViewType { RawType: var raw, Count: var count } || raw != typeof(uint) || count < 2 || count > int.MaxValue)
                {
                    throw new ArgumentException($"Multiclass classification needs a key label (UInt32 keys, 2 or more values), but '{name}' is {column.Type}. Use mlContext.Transforms.Conversion.MapValueToKey(\"{name}\").", "data");
                }

                classCount = (int)count;
                break;
            case NeuralNetworkTask.Regression when column.Type != NumberDataViewType.Single:
                throw new ArgumentException($"Regression needs a Single label, but '{name}' is {column.Type}. Use mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single).", "data");
        }

        return column;
    }

    /// <summary>The same checks on a schema shape (what an estimator sees before data).</summary>
    public static void Check(SchemaShape shape, NeuralNetworkTask task, NeuralNetworkOptions options)
    {
        if (shape.FirstOrDefault(c => c.Name == options.FeatureColumnName) is not { Name: not null } features)
        {
            throw new ArgumentException($"The feature column '{options.FeatureColumnName}' is not in the input. Columns: {string.Join(", ", shape.Select(c => c.Name))}.", "inputSchema");
        }

        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException($"The feature column '{options.FeatureColumnName}' must be a known-size vector of Single, but is {features.Kind} of {features.ItemType}.", "inputSchema");
        }

        if (shape.FirstOrDefault(c => c.Name == options.LabelColumnName) is not { Name: not null } label)
        {
            throw new ArgumentException($"The label column '{options.LabelColumnName}' is not in the input. Columns: {string.Join(", ", shape.Select(c => c.Name))}.", "inputSchema");
        }

        var ok = label.Kind == SchemaShape.Column.VectorKind.Scalar && task switch
        {
            NeuralNetworkTask.BinaryClassification => label.ItemType == BooleanDataViewType.Instance,
            NeuralNetworkTask.MulticlassClassification => label.IsKey,
            _ => label.ItemType == NumberDataViewType.Single && !label.IsKey,
        };
        if (!ok)
        {
            var expected = task switch
            {
                NeuralNetworkTask.BinaryClassification => "a Boolean",
                NeuralNetworkTask.MulticlassClassification => "a key",
                _ => "a Single",
            };
            throw new ArgumentException($"{task} needs {expected} label, but '{options.LabelColumnName}' is {label.Kind} of {label.ItemType}{(label.IsKey ? " (key)" : "")}.", "inputSchema");
        }
    }

    private static string Names(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name));
}
