using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Cli.Data;

/// <summary>What the tune command holds back from the study and how it splits: test data from a file or a share of
/// the rows, and a grouping and an order column that the test and validation splits honour.</summary>
internal sealed record HoldOutSettings(string? TestDataPath, double? TestFraction, string? GroupColumn, string? OrderColumn, string? ValidationDataPath = null, int? Folds = null)
{
    public static readonly HoldOutSettings None = new(null, null, null, null);
}

/// <summary>The rows of a run after the splits: the test rows come off first, then the validation rows.</summary>
/// <param name="Train">The rows trials train on (with --cv, all rows left after the test rows).</param>
/// <param name="Validation">The rows trials are measured on (unused with --cv).</param>
/// <param name="Test">Rows scored once after the study, or null.</param>
/// <param name="RefitRows">Train + validation.</param>
/// <param name="Folds">With --cv: the folds of the rows left after the test rows.</param>
internal sealed record HeldOutRows(IDataView Train, IDataView Validation, IDataView? Test, IDataView RefitRows, IReadOnlyList<DataFold>? Folds = null)
{
    /// <summary>Rows of the test file dropped for a missing label.</summary>
    public int TestRowsDropped { get; init; }

    // The same seed streams as TuningExperiment's, so the library and the tool split alike.
    private const int TestStream = 1_000_001;
    private const int ValidationStream = 1_000_002;
    private const int FoldStream = 1_000_003;

    /// <exception cref="CliException">The test file's header differs, its label has a value the data file lacks, a split column
    /// is unknown or unusable, or a split leaves a side empty.</exception>
    public static HeldOutRows Split(MLContext ml, TabularFile file, IDataView data, HoldOutSettings settings, double validationFraction, int seed, string[] asText, Func<IDataView, IDataView> labelled, LabelCheck label)
    {
        var columns = new SplitColumns(settings.GroupColumn, settings.OrderColumn);
        try
        {
            IDataView? test = null;
            var testRowsDropped = 0;
            (IDataView Rows, int Dropped) LoadLike(string path, string what)
            {
                var other = TabularFile.Inspect(path);
                var expected = file.Columns.Select(c => c.Name).ToList();
                var found = other.Columns.Select(c => c.Name).ToList();
                if (!expected.SequenceEqual(found))
                {
                    throw new CliException($"The {what} '{path}' must have the columns of '{file.Path}' in the same order: expected {string.Join(", ", expected)}; found {string.Join(", ", found)}.");
                }

                RequireKnownLabels(other, file, label, what);

                // These rows get the training rows' label handling: a row without a label is dropped (and counted).
                return (labelled(file.LoadFile(ml, path, asText)), other.Column(label.Column.Name).Scan.Missing);
            }

            if (settings.TestDataPath is { } path)
            {
                (test, testRowsDropped) = LoadLike(path, "test data");
            }
            else if (settings.TestFraction is double fraction)
            {
                (data, test) = DataSplitter.HoldOut(data, fraction, columns, SeedMixer.Mix(seed, TestStream), "test set");
            }

            var rest = data;
            IDataView train, validation;
            IReadOnlyList<DataFold>? folds = null;
            if (settings.Folds is int k)
            {
                folds = DataSplitter.Folds(rest, k, columns, SeedMixer.Mix(seed, FoldStream));
                (train, validation) = (rest, rest);
            }
            else if (settings.ValidationDataPath is { } validationPath)
            {
                (train, validation) = (rest, LoadLike(validationPath, "validation data").Rows);
            }
            else if (columns == SplitColumns.None)
            {
                var split = ml.Data.TrainTestSplit(rest, validationFraction, seed: seed);
                (train, validation) = (split.TrainSet, split.TestSet);
            }
            else
            {
                (train, validation) = DataSplitter.HoldOut(rest, validationFraction, columns, SeedMixer.Mix(seed, ValidationStream), "validation set");
            }

            return new HeldOutRows(ml.Data.Cache(train), ml.Data.Cache(validation), test is null ? null : ml.Data.Cache(test), ml.Data.Cache(rest), folds) { TestRowsDropped = testRowsDropped };
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>A classification test or validation file may hold only the data file's classes: a row of another value has no
    /// class of the model, and would be dropped from the test score (or, for a binary label, scored as the wrong
    /// class) without a word.</summary>
    private static void RequireKnownLabels(TabularFile testFile, TabularFile file, LabelCheck label, string what)
    {
        if (label.Classes.Count == 0)
        {
            return;
        }

        var scan = testFile.Column(label.Column.Name).Scan;
        var unknown = scan.Values.Where(v => !label.Classes.Contains(v.Key)).OrderBy(v => v.Value.FirstLine).ToList();
        if (unknown.Count == 0 && !scan.MoreDistinct)
        {
            return;
        }

        var found = string.Join(", ", unknown.Take(5).Select(v => $"'{v.Key}' in {v.Value.Count} {(v.Value.Count == 1 ? "row" : "rows")} (first on line {v.Value.FirstLine})"));
        var more = unknown.Count > 5 || scan.MoreDistinct ? " and more" : "";
        throw new CliException($"The {what} '{testFile.Path}' has label values that '{file.Path}' lacks: {found}{more}. The model knows only the classes {string.Join(", ", label.Classes.Take(10).Select(c => $"'{c}'"))}{(label.Classes.Count > 10 ? ", ..." : "")}; fix or remove those rows.");
    }
}
