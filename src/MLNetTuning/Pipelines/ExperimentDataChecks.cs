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
