using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Running;

namespace MLNetTuning.Cli.Commands;

/// <summary>The tune command's test and split options, checked and put into the settings.</summary>
internal static class TestOptions
{
    /// <summary>Rows from which the tool holds back test rows unless told otherwise.</summary>
    public const int DefaultTestRows = 1000;

    public const double DefaultTestFraction = 0.2;

    /// <exception cref="CliException">Both test options given, a fraction outside (0, 0.5], or an unknown column.</exception>
    public static TuneSettings Apply(TuneSettings settings, TabularFile file, string? testData, double? testFraction, string? groupColumn, string? orderColumn)
    {
        if (testData is not null && testFraction is not null)
        {
            throw new CliException("Give --test-data or --test-fraction, not both.");
        }

        if (testFraction is double f && f != 0 && f is not (> 0 and <= 0.5))
        {
            throw new CliException($"--test-fraction must lie in (0, 0.5] (or be 0 for no test rows), not {f}.");
        }

        foreach (var (name, option) in new[] { (groupColumn, "--group-column"), (orderColumn, "--order-column") })
        {
            if (name is not null && file.Columns.All(c => c.Name != name))
            {
                throw new CliException($"{option}: unknown column '{name}' in '{file.Path}'. Columns: {string.Join(", ", file.Columns.Select(c => c.Name))}.");
            }

            if (name is not null && name == settings.LabelColumn)
            {
                throw new CliException($"{option} cannot be the label column '{name}'.");
            }
        }

        if (testData is not null && !File.Exists(testData))
        {
            throw new CliException($"Test data file not found: '{testData}'.");
        }

        var isDefault = testData is null && testFraction is null && file.RowCount >= DefaultTestRows;
        return settings with
        {
            TestData = testData is null ? null : Path.GetFullPath(testData),
            TestFraction = isDefault ? DefaultTestFraction : testFraction is 0 ? null : testFraction,
            TestFractionIsDefault = isDefault,
            GroupColumn = groupColumn,
            OrderColumn = orderColumn,
        };
    }
}
