using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Pipelines;

/// <summary>The checks a <see cref="TuningExperiment"/> makes on its data before the first trial, so that a data
/// problem is one clear error instead of every trial failing with it.</summary>
internal static class ExperimentDataChecks
{
    /// <summary>Builds the pipeline with each trainer's defaults and checks that it accepts the data's schema and
    /// produces the label column.</summary>
    public static void CheckPipelineFits(TunablePipeline pipeline, string labelColumnName, DataViewSchema schema, int seed)
    {
        if (MLNetInternals.ShapeOf(schema) is not { } input)
        {
            return;
        }

        var names = pipeline.TunableStages.SelectMany(s => s).Select(e => e.Name).Distinct().DefaultIfEmpty("(fixed)");
        foreach (var name in names)
        {
            IEstimator<ITransformer> estimator;
            try
            {
                estimator = pipeline.Build(ExperimentTrialRunner.TrialContextFor(seed, -1), pipeline.DefaultsChoosing(name));
            }
            catch (Exception)
            {
                // A factory that cannot build its defaults fails its trials, each with the error; that is not a data problem.
                continue;
            }

            SchemaShape output;
            try
            {
                output = estimator.GetOutputSchema(input);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"The pipeline with '{name}' does not fit the data: {e.Message} Columns of the data: {ColumnList(schema)}.", e);
            }

            if (!output.Any(c => c.Name == labelColumnName))
            {
                throw new ArgumentException($"Unknown label column '{labelColumnName}': neither the data nor the pipeline has it. Columns of the data: {ColumnList(schema)}.");
            }
        }
    }

    public static void CheckColumnsMatch(DataViewSchema train, DataViewSchema validation, string what = "validation data")
    {
        var missing = train.Where(c => !c.IsHidden && validation.GetColumnOrNull(c.Name) is null).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"The {what} lacks the column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} of the training data.");
        }

        var differing = train.Where(c => !c.IsHidden && validation.GetColumnOrNull(c.Name) is { } other && !other.Type.Equals(c.Type)).ToList();
        if (differing.Count > 0)
        {
            throw new ArgumentException($"The {what} has different column types: {string.Join(", ", differing.Select(c => $"'{c.Name}' is {validation[c.Name].Type} there and {c.Type} in the training data"))}.");
        }
    }

    /// <summary>
    /// For a classification metric: every label value of <paramref name="other"/> (separate validation or test
    /// data) occurs in <paramref name="train"/>. A value the training data lacks has no class in a label mapping
    /// fitted on it: MapValueToKey drops its rows from the metric and a binary conversion makes it one of the two
    /// classes, both without a word. Checked where the data holds the label as text or a number (a key or Boolean
    /// label carries its classes in its type; a label the pipeline makes from another column is not seen here).
    /// </summary>
    /// <exception cref="ArgumentException">A label value of <paramref name="other"/> is not in the training data; the
    /// message names the data, each such value and its row count.</exception>
    public static void CheckLabelValuesKnown(IDataView train, IDataView other, string labelColumnName, TuningMetric metric, string what)
    {
        if (metric.Task == TuningTask.Regression
            || train.Schema.GetColumnOrNull(labelColumnName) is not { } trainColumn
            || other.Schema.GetColumnOrNull(labelColumnName) is not { } otherColumn
            || trainColumn.Type is KeyDataViewType or BooleanDataViewType
            || !trainColumn.Type.Equals(otherColumn.Type)
            || LabelValues(train, trainColumn) is not { } known)
        {
            return;
        }

        var unknown = LabelValues(other, otherColumn, known.Keys.ToHashSet());
        if (unknown is null || unknown.Count == 0)
        {
            return;
        }

        var task = metric.Task == TuningTask.BinaryClassification ? "binary" : "multiclass";
        var found = string.Join(", ", unknown.OrderBy(u => u.Value.First).Take(5).Select(u => $"'{u.Key}' in {u.Value.Count} {(u.Value.Count == 1 ? "row" : "rows")} (first at row {u.Value.First})"));
        throw new ArgumentException($"The {what} has label values that the training data lacks: {found}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "")}. A {task} model knows only the training data's classes ({string.Join(", ", known.Keys.Take(10).Select(k => $"'{k}'"))}{(known.Count > 10 ? ", ..." : "")}), so these rows would be dropped or counted as another class; fix or remove them.");
    }

    /// <summary>
    /// For a trainer that fails on a label below 0 (<see cref="TunableEstimator.NeedsNonNegativeLabels"/>, Poisson
    /// regression): <paramref name="train"/> has no such label, so that the data problem is one error instead of
    /// every trial of that trainer failing. One pass over the label column, made only when such a trainer is tuned;
    /// checked where the data holds the label as a number (a label the pipeline makes is not seen here).
    /// </summary>
    /// <exception cref="ArgumentException">A label is below 0; the message names the trainer, the requirement, the
    /// first such value with its row, and how many rows break it.</exception>
    public static void CheckLabelsSuitTrainers(TunablePipeline pipeline, IDataView train, string labelColumnName, string what)
    {
        var needing = pipeline.TunableStages.SelectMany(s => s).Where(e => e.NeedsNonNegativeLabels).Select(e => $"'{e.Name}'").Distinct().ToList();
        if (needing.Count == 0 || train.Schema.GetColumnOrNull(labelColumnName) is not { } column)
        {
            return;
        }

        using var cursor = train.GetRowCursor([column]);
        Func<double>? read = column.Type.RawType switch
        {
            var t when t == typeof(float) => Number<float>(cursor, column, v => v),
            var t when t == typeof(double) => Number<double>(cursor, column, v => v),
            var t when t == typeof(int) => Number<int>(cursor, column, v => v),
            var t when t == typeof(long) => Number<long>(cursor, column, v => v),
            _ => null,
        };
        if (read is null)
        {
            return;
        }

        long row = 0, negatives = 0, firstRow = 0;
        var first = 0.0;
        while (cursor.MoveNext())
        {
            row++;
            var value = read();
            if (value < 0 && negatives++ == 0)
            {
                (first, firstRow) = (value, row);
            }
        }

        if (negatives > 0)
        {
            throw new ArgumentException($"{string.Join(" and ", needing)} {(needing.Count == 1 ? "needs" : "need")} {TunableEstimator.NonNegativeLabels}, but the label '{labelColumnName}' of the {what} is {first.ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {firstRow} ({negatives} of {row} rows {(negatives == 1 ? "is" : "are")} below 0). Leave {(needing.Count == 1 ? "that trainer" : "those trainers")} out of the pipeline, or shift the labels.");
        }
    }

    private static Func<double> Number<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return convert(value);
        };
    }

    /// <summary>The distinct non-missing values of a text or numeric column with their count and first row (1-based),
    /// those outside <paramref name="except"/> only; null when the column is of another type or has more than 10,000.</summary>
    private static Dictionary<string, (int Count, long First)>? LabelValues(IDataView data, DataViewSchema.Column column, HashSet<string>? except = null)
    {
        using var cursor = data.GetRowCursor([column]);
        Func<string?>? read = column.Type.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Reader<ReadOnlyMemory<char>>(cursor, column, v => v.IsEmpty ? null : v.ToString()),
            var t when t == typeof(float) => Reader<float>(cursor, column, v => float.IsNaN(v) ? null : v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Reader<double>(cursor, column, v => double.IsNaN(v) ? null : v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Reader<int>(cursor, column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Reader<long>(cursor, column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => null,
        };
        if (read is null)
        {
            return null;
        }

        var values = new Dictionary<string, (int Count, long First)>(StringComparer.Ordinal);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            if (read() is not { } value || except?.Contains(value) == true)
            {
                continue;
            }

            if (values.TryGetValue(value, out var seen))
            {
                values[value] = (seen.Count + 1, seen.First);
            }
            else if (values.Count < 10_000)
            {
                values[value] = (1, row);
            }
            else
            {
                return except is null ? null : values;
            }
        }

        return values;
    }

    private static Func<string?> Reader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string?> format)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return format(value);
        };
    }

    public static void RequireRows(IDataView data, string what)
    {
        if (data.GetRowCount() is long n)
        {
            if (n == 0)
            {
                throw new ArgumentException($"The {what} is empty.");
            }

            return;
        }

        using var cursor = data.GetRowCursor([]);
        if (!cursor.MoveNext())
        {
            throw new ArgumentException($"The {what} is empty.");
        }
    }

    public static string ColumnList(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));
}
