using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The rows of an <see cref="IDataView"/> as dense arrays: features row-major, labels as Single (0/1 for binary,
/// the class index for multiclass, the value for regression). Rows with a missing label are skipped, as ML.NET's
/// trainers do; a non-finite feature is an error, since the network would silently learn NaN.
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(float[] features, float[] labels, int rows, int width, int classCount)
    {
        Features = features;
        Labels = labels;
        Rows = rows;
        Width = width;
        ClassCount = classCount;
    }

    public float[] Features { get; }

    public float[] Labels { get; }

    public int Rows { get; }

    public int Width { get; }

    /// <summary>Classes of a multiclass label (its key count); 1 otherwise.</summary>
    public int ClassCount { get; }

    public static TrainingData Read(IDataView data, NeuralNetworkTask task, NeuralNetworkOptions options)
    {
        var (featureColumn, width) = ColumnChecks.Features(data.Schema, options.FeatureColumnName);
        var labelColumn = ColumnChecks.Label(data.Schema, options.LabelColumnName, task, out var classCount);
        var features = new List<float>();
        var labels = new List<float>();
        using var cursor = data.GetRowCursor([featureColumn, labelColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        var getLabel = LabelGetter(cursor, labelColumn, task);
        var buffer = default(VBuffer<float>);
        var dense = new float[width];
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            var label = getLabel();
            if (float.IsNaN(label))
            {
                continue;
            }

            getFeatures(ref buffer);
            buffer.CopyTo(dense);
            for (var f = 0; f < width; f++)
            {
                if (!float.IsFinite(dense[f]))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Feature column '{options.FeatureColumnName}' has the non-finite value {dense[f]} at row {row}, slot {f}. Replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues(\"{options.FeatureColumnName}\"))."),
                        "data");
                }
            }

            features.AddRange(dense);
            labels.Add(label);
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException(
                row < 0
                    ? "The training data has no rows."
                    : $"The training data has no row with a label: all {row + 1} rows have a missing '{options.LabelColumnName}'.",
                "data");
        }

        return new TrainingData([.. features], [.. labels], labels.Count, width, task == NeuralNetworkTask.MulticlassClassification ? classCount : 1);
    }

    private static Func<float> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column, NeuralNetworkTask task)
    {
        switch (task)
        {
            case NeuralNetworkTask.BinaryClassification:
            {
                var get = cursor.GetGetter<bool>(column);
                return () =>
                {
                    var v = false;
                    get(ref v);
                    return v ? 1f : 0f;
                };
            }

            case NeuralNetworkTask.MulticlassClassification:
            {
                var get = cursor.GetGetter<uint>(column);
                return () =>
                {
                    uint key = 0;
                    get(ref key);
                    return key == 0 ? float.NaN : key - 1;
                };
            }

            default:
            {
                var get = cursor.GetGetter<float>(column);
                return () =>
                {
                    var v = 0f;
                    get(ref v);
                    return float.IsFinite(v) ? v : float.NaN;
                };
            }
        }
    }
}
