using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Cli.Data;

/// <summary>Data and pipeline of a tuning run: the label converted for the task, every other column turned into features.</summary>
internal sealed class PreparedData
{
    public required IDataView Train { get; init; }

    public required IDataView Validation { get; init; }

    /// <summary>Rows held back from the study and scored once after it, or null.</summary>
    public IDataView? Test { get; init; }

    /// <summary>Train + validation: the rows the confirmed models are refitted on.</summary>
    public required IDataView RefitRows { get; init; }

    public required TunablePipeline Pipeline { get; init; }

    public required TuningMetric Metric { get; init; }

    public required IReadOnlyList<string> FeatureColumns { get; init; }

    /// <summary>Loads and splits the file and builds the pipeline: label conversion, features (numbers as they are,
    /// Booleans as 0/1, text one-hot encoded or featurized), missing values replaced, scaled, then a choice of trainers.</summary>
    /// <exception cref="CliException">The label does not suit the task, a trainer or metric is unknown.</exception>
    public static PreparedData Build(MLContext ml, TabularFile file, string labelColumn, TuningTask task, IReadOnlyList<string> trainers, string? metricName, double validationFraction, int seed, HoldOutSettings? holdOut = null)
    {
        var label = file.Column(labelColumn);
        var labelValues = file.DistinctValues(label.Name);
        IEstimator<ITransformer> prefix;
        var loadLabelAsText = false;
        switch (task)
        {
            case TuningTask.BinaryClassification:
                if (labelValues.Count != 2)
                {
                    throw new CliException($"A binary task needs a label with 2 values; '{label.Name}' has {labelValues.Count} ({Sample(labelValues)}). Use --task multiclass or regression.");
                }

                loadLabelAsText = true;
                var ordered = labelValues.OrderBy(v => IsPositive(v) ? 1 : 0).ThenBy(v => v, StringComparer.Ordinal).ToList();
                prefix = ml.Transforms.Conversion.MapValue("Label", new[] { KeyValuePair.Create(ordered[0], false), KeyValuePair.Create(ordered[1], true) }, label.Name);
                break;
            case TuningTask.MulticlassClassification:
                if (labelValues.Count < 2)
                {
                    throw new CliException($"A multiclass task needs a label with at least 2 values; '{label.Name}' has {labelValues.Count}.");
                }

                loadLabelAsText = true;
                prefix = ml.Transforms.Conversion.MapValueToKey("Label", label.Name);
                break;
            default:
                if (label.Kind != ColumnKind.Numeric)
                {
                    throw new CliException($"A regression task needs a numeric label; '{label.Name}' holds {label.Kind.ToString().ToLowerInvariant()} values ({Sample(labelValues)}).");
                }

                prefix = ml.Transforms.CopyColumns("Label", label.Name);
                break;
        }

        // A grouping column (a customer id) is no feature: a model would learn the groups it is meant to generalize across.
        holdOut ??= HoldOutSettings.None;
        var features = file.Columns.Where(c => c.Name != label.Name && c.Name != holdOut.GroupColumn && c.Kind != ColumnKind.Empty).ToList();
        if (features.Count == 0)
        {
            throw new CliException($"'{file.Path}' has no feature column besides the label '{label.Name}'.");
        }

        var featureNames = new List<string>();
        foreach (var column in features)
        {
            var name = "f:" + column.Name;
            prefix = column.Kind switch
            {
                ColumnKind.Numeric => prefix.Append(ml.Transforms.CopyColumns(name, column.Name)),
                ColumnKind.Boolean => prefix.Append(ml.Transforms.Conversion.ConvertType(name, column.Name, DataKind.Single)),
                _ when column.DistinctValues <= 100 => prefix.Append(ml.Transforms.Categorical.OneHotEncoding(name, column.Name)),
                _ => prefix.Append(ml.Transforms.Text.FeaturizeText(name, column.Name)),
            };
            featureNames.Add(name);
        }

        prefix = prefix
            .Append(ml.Transforms.Concatenate("Features", [.. featureNames]))
            .Append(ml.Transforms.ReplaceMissingValues("Features"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        var catalog = ml.Tuning();
        var estimators = TrainerNames.Resolve(catalog, task, trainers, "Label");
        string[] asText = loadLabelAsText ? [label.Name] : [];
        var split = HeldOutRows.Split(ml, file, file.Load(ml, asText), holdOut, validationFraction, seed, asText);
        return new PreparedData
        {
            Train = split.Train,
            Validation = split.Validation,
            Test = split.Test,
            RefitRows = split.RefitRows,
            Pipeline = prefix.Append(estimators),
            Metric = MetricNames.Resolve(task, metricName),
            FeatureColumns = features.Select(f => f.Name).ToList(),
        };
    }

    private static bool IsPositive(string value) => value.ToLowerInvariant() is "1" or "true" or "yes" or "y" or "positive" or "pos";

    private static string Sample(IEnumerable<string> values) => string.Join(", ", values.Take(6).Select(v => $"'{v}'")) + (values.Count() > 6 ? ", ..." : "");
}

/// <summary>Metric names on the command line, per task, with a default each.</summary>
internal static class MetricNames
{
    public static TuningMetric Resolve(TuningTask task, string? name)
    {
        var names = task switch
        {
            TuningTask.BinaryClassification => Enum.GetNames<BinaryTuningMetric>(),
            TuningTask.MulticlassClassification => Enum.GetNames<MulticlassTuningMetric>(),
            _ => Enum.GetNames<RegressionTuningMetric>(),
        };
        var chosen = name is null
            ? names[0]
            : names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
              ?? throw new CliException($"Unknown metric '{name}' for {TaskNames.Name(task)}. Known: {string.Join(", ", names)}.");
        return task switch
        {
            TuningTask.BinaryClassification => TuningMetric.For(Enum.Parse<BinaryTuningMetric>(chosen)),
            TuningTask.MulticlassClassification => TuningMetric.For(Enum.Parse<MulticlassTuningMetric>(chosen)),
            _ => TuningMetric.For(Enum.Parse<RegressionTuningMetric>(chosen)),
        };
    }
}
