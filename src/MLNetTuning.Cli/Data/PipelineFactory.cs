using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Cli.Data;

/// <summary>The label column as checked over the whole file: its classes (binary: negative first) and the rows dropped.</summary>
internal sealed record LabelCheck(InferredColumn Column, IReadOnlyList<string> Classes, int DroppedRows, string? Warning)
{
    /// <summary>The class trained as true, for a binary task.</summary>
    public string? PositiveClass { get; private init; }

    /// <summary>The rows with a label (of a regression label: with a number).</summary>
    public int LabelledRows { get; private init; }

    /// <summary>Checks the label suits the task, over every row of the file.</summary>
    /// <exception cref="CliException">No such column; no value; a binary label with other than 2 values (naming the
    /// third and its line); a multiclass label with 1 value; a regression label that is not numeric.</exception>
    public static LabelCheck Of(TabularFile file, string labelColumn, TuningTask task)
    {
        var column = file.Column(labelColumn);
        var scan = column.Scan;
        if (scan.Present == 0)
        {
            throw new CliException($"The label '{column.Name}' has no value in any of the {file.RowCount} rows of '{file.Path}'.");
        }

        var values = scan.Values.OrderBy(v => v.Value.FirstLine).Select(v => v.Key).ToList();
        var dropped = scan.Missing;
        string? warning = null;
        IReadOnlyList<string> classes = [];
        switch (task)
        {
            case TuningTask.BinaryClassification:
                if (values.Count > 2)
                {
                    var third = values[2];
                    throw new CliException($"A binary task needs a label with 2 values; '{column.Name}' has a third value '{third}' on line {scan.Values[third].FirstLine} (values: {Sample(values)}{(scan.MoreDistinct ? ", ..." : "")}). Fix that row or use --task multiclass.");
                }

                if (values.Count < 2)
                {
                    throw new CliException($"A binary task needs a label with 2 values; '{column.Name}' has only {Sample(values)}.");
                }

                classes = values.OrderBy(v => IsPositive(v) ? 1 : 0).ThenBy(v => v, StringComparer.Ordinal).ToList();
                break;
            case TuningTask.MulticlassClassification:
                if (values.Count < 2)
                {
                    throw new CliException($"A multiclass task needs a label with at least 2 values; '{column.Name}' has only {Sample(values)}.");
                }

                if (scan.MoreDistinct)
                {
                    throw new CliException($"The label '{column.Name}' has more than {ColumnScan.DistinctLimit} distinct values; that is not a multiclass label (use --task regression if it is a number).");
                }

                classes = values;
                break;
            default:
                if (scan.Numbers < TabularFile.NumericShare * scan.Present)
                {
                    throw new CliException($"A regression task needs a numeric label; '{column.Name}' holds text values ({Sample(values)}{(scan.MoreDistinct ? ", ..." : "")}).");
                }

                if (scan.NonNumbers > 0)
                {
                    dropped += scan.NonNumbers;
                    warning = $"{scan.NonNumbers} label values are not numbers (e.g. '{scan.FirstNonNumber}' on line {scan.FirstNonNumberLine}); their rows are dropped like rows without a label.";
                }

                break;
        }

        if (file.RowCount - dropped < 2)
        {
            throw new CliException($"Only {file.RowCount - dropped} of the {file.RowCount} rows of '{file.Path}' have a label; at least 2 are needed.");
        }

        return new LabelCheck(column, classes, dropped, warning) { PositiveClass = task == TuningTask.BinaryClassification ? classes[1] : null, LabelledRows = file.RowCount - dropped };
    }

    private static bool IsPositive(string value) => value.ToLowerInvariant() is "1" or "true" or "yes" or "y" or "positive" or "pos";

    private static string Sample(IReadOnlyCollection<string> values) => string.Join(", ", values.Take(6).Select(v => $"'{v}'")) + (values.Count > 6 ? ", ..." : "");
}

/// <summary>Data and pipeline of a tuning run: rows without a label dropped, the label converted for the task, the
/// other columns turned into features. Internal columns have reserved names, so no column of the file can become
/// the target or overwrite one (see <see cref="TabularFile.ReservedPrefix"/>).</summary>
internal sealed class PreparedData
{
    /// <summary>The label as the trainers see it.</summary>
    public const string LabelColumn = TabularFile.ReservedPrefix + "label";

    /// <summary>The feature vector.</summary>
    public const string FeaturesColumn = TabularFile.ReservedPrefix + "features";

    private const string LabelKeyColumn = TabularFile.ReservedPrefix + "label_key";

    public required IDataView Train { get; init; }

    public required IDataView Validation { get; init; }

    /// <summary>With --cv: the folds trials are measured on (then <see cref="Train"/> is all of the rows), or null.</summary>
    public IReadOnlyList<DataFold>? Folds { get; init; }

    /// <summary>Rows held back from the study and scored once after it (test data or a test fraction), or null.</summary>
    public IDataView? Test { get; init; }

    /// <summary>Rows of a test file dropped for a missing label.</summary>
    public int TestRowsDropped { get; init; }

    /// <summary>Train + validation: what the winner is refitted on when there is test data.</summary>
    public required IDataView RefitRows { get; init; }

    public required TunablePipeline Pipeline { get; init; }

    public required TuningMetric Metric { get; init; }

    public required IReadOnlyList<string> FeatureColumns { get; init; }

    /// <summary>The label check: classes and the rows dropped for a missing label.</summary>
    public required LabelCheck Label { get; init; }

    /// <summary>A line for each default trainer left out because the label does not suit it (see <see cref="LabelRequirements"/>).</summary>
    public IReadOnlyList<string> TrainersLeftOut { get; init; } = [];

    /// <summary>The fixed steps before the trainers, in order (what generated code writes out).</summary>
    public required IReadOnlyList<PreparationStep> Steps { get; init; }

    /// <summary>A finished trial's configuration trained again, on <paramref name="rows"/> (the training rows when
    /// null), with the trial's own seed as the run trained it, until <paramref name="token"/> fires.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired before the fit ended.</exception>
    public ITransformer Fit(int runSeed, TuningTrial trial, IDataView? rows, CancellationToken token)
    {
        var context = new MLContext(SeedMixer.Mix(runSeed, trial.Id));
        return CancellableTraining.Run(context, () => Pipeline.Build(context, trial.Parameters).Fit(rows ?? Train), token);
    }

    /// <summary>Loads the file, drops the rows without a label, splits, and builds the pipeline: label conversion,
    /// features (numbers as they are, Booleans as 0/1, categories one-hot encoded, text featurized), missing values
    /// replaced, scaled, then a choice of trainers (with <paramref name="populationBased"/>, as PBT searches them).</summary>
    /// <exception cref="CliException">The label does not suit the task, there is no feature, a trainer or metric is
    /// unknown, or a named trainer cannot learn the label (Poisson regression on a label below 0).</exception>
    public static PreparedData Build(MLContext ml, TabularFile file, string labelColumn, TuningTask task, IReadOnlyList<string> trainers, string? metricName, double validationFraction, int seed, HoldOutSettings? holdOut = null, string? budgetUnit = null, bool populationBased = false)
    {
        var label = LabelCheck.Of(file, labelColumn, task);
        var labelName = label.Column.Name;

        holdOut ??= HoldOutSettings.None;
        var features = FeaturesOf(file, labelName, holdOut.GroupColumn);
        if (features.Count == 0)
        {
            throw new CliException($"'{file.Path}' has no feature column besides the label '{labelName}'.");
        }

        var steps = new List<PreparationStep>();
        string[] asText;
        Func<IDataView, IDataView> labelled;
        if (task == TuningTask.Regression)
        {
            // The check made the label numeric; a missing or non-numeric value loads as NaN and its row is dropped.
            asText = [];
            labelled = loaded => ml.Data.FilterRowsByMissingValues(loaded, labelName);
            steps.Add(new PreparationStep(PreparationKind.Copy, LabelColumn, [labelName]));
        }
        else
        {
            // The classes come from the whole column; a missing label is no class, so its key is missing and the row is dropped.
            var keyData = PreparationStep.ClassKeyData(ml, label.Classes);
            asText = [labelName];
            labelled = loaded => ml.Data.FilterRowsByMissingValues(ml.Transforms.Conversion.MapValueToKey(LabelKeyColumn, labelName, keyData: keyData).Fit(loaded).Transform(loaded), LabelKeyColumn);
            steps.Add(new PreparationStep(task == TuningTask.BinaryClassification ? PreparationKind.BinaryLabel : PreparationKind.ClassKey, LabelColumn, [labelName], label.Classes));
        }

        var data = labelled(file.Load(ml, asText));

        var featureNames = new List<string>();
        foreach (var column in features)
        {
            var name = $"{TabularFile.ReservedPrefix}f{column.Index}";
            var kind = column.Kind switch
            {
                ColumnKind.Numeric => PreparationKind.Copy,
                ColumnKind.Boolean => PreparationKind.ToSingle,
                ColumnKind.Categorical => PreparationKind.OneHot,
                _ => PreparationKind.Text,
            };
            steps.Add(new PreparationStep(kind, name, [column.Name]));
            featureNames.Add(name);
        }

        steps.Add(new PreparationStep(PreparationKind.Concatenate, FeaturesColumn, featureNames));
        steps.Add(new PreparationStep(PreparationKind.ReplaceMissing, FeaturesColumn, [FeaturesColumn]));
        steps.Add(new PreparationStep(PreparationKind.MinMax, FeaturesColumn, [FeaturesColumn]));
        IEstimator<ITransformer> prefix = new EstimatorChain<ITransformer>();
        foreach (var step in steps)
        {
            prefix = prefix.Append(step.Build(ml));
        }

        var (estimators, leftOut) = Trainers(ml.Tuning(), file, label, task, trainers, budgetUnit, holdOut.GroupColumn, populationBased);
        RequireRowCount(data, file.RowCount - label.DroppedRows, file, labelName);
        var split = HeldOutRows.Split(ml, file, data, holdOut, validationFraction, seed, asText, labelled, label);
        return new PreparedData
        {
            Train = split.Train,
            Validation = split.Validation,
            Test = split.Test,
            TestRowsDropped = split.TestRowsDropped,
            Folds = split.Folds,
            RefitRows = split.RefitRows,
            Pipeline = prefix.Append(estimators.ToArray()),
            Metric = MetricNames.Resolve(task, metricName),
            FeatureColumns = features.Select(f => f.Name).ToList(),
            Label = label,
            TrainersLeftOut = leftOut,
            Steps = steps,
        };
    }

    /// <summary>The trainers tuned: those named in <paramref name="trainers"/>, or else the defaults (see
    /// <see cref="TrainerNames.Defaults"/>: the networks join the classical trainers when every feature is a number
    /// and the labelled rows are few enough) that the label suits, with a line for each default left out.</summary>
    /// <exception cref="CliException">A trainer or budget is unknown (see <see cref="TrainerNames.Resolve"/>), or a
    /// named trainer cannot learn the label (see <see cref="LabelRequirements.RequireSuited"/>).</exception>
    public static (IReadOnlyList<TunableEstimator> Estimators, IReadOnlyList<string> LeftOut) Trainers(TuningCatalog catalog, TabularFile file, LabelCheck label, TuningTask task, IReadOnlyList<string> trainers, string? budgetUnit, string? groupColumn, bool populationBased = false)
    {
        if (trainers.Count > 0)
        {
            var named = Resolve(trainers);
            LabelRequirements.RequireSuited(named, label);
            return (named, []);
        }

        var defaults = TrainerNames.Defaults(catalog, task, FeaturesOf(file, label.Column.Name, groupColumn).All(c => c.Kind is ColumnKind.Numeric or ColumnKind.Boolean), label.LabelledRows);

        // Left out before the budgets are applied, so that a --budget-unit item naming a left-out trainer is an error.
        var (kept, leftOut) = LabelRequirements.SuitingDefaults(TrainerNames.Resolve(catalog, task, defaults, LabelColumn, FeaturesColumn), label);
        return (Resolve(kept.Select(e => e.Name).ToList()), leftOut);

        TunableEstimator[] Resolve(IReadOnlyList<string> names) =>
            TrainerNames.Resolve(catalog, task, names, LabelColumn, FeaturesColumn, BudgetUnitChoice.Parse(budgetUnit), populationBased);
    }

    /// <summary>Every column but the label, the grouping column and ignored ones. A grouping column (a customer id) is
    /// no feature: a model would learn the groups it is meant to generalize across.</summary>
    private static List<InferredColumn> FeaturesOf(TabularFile file, string labelName, string? groupColumn) =>
        file.Columns.Where(c => c.Name != labelName && c.Name != groupColumn && c.Kind != ColumnKind.Ignore).ToList();

    /// <summary>ML.NET's reader and the scan must agree on the labelled rows: a row it read otherwise would be
    /// dropped (or mislabelled) without a word.</summary>
    private static void RequireRowCount(IDataView data, int expected, TabularFile file, string labelName)
    {
        var rows = 0;
        using (var cursor = data.GetRowCursor([]))
        {
            while (cursor.MoveNext())
            {
                rows++;
            }
        }

        if (rows != expected)
        {
            throw new CliException($"ML.NET read {rows} labelled rows from '{file.Path}' where the scan found {expected}; a value of '{labelName}' is read differently (quotes or separators inside a field?).");
        }
    }
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
