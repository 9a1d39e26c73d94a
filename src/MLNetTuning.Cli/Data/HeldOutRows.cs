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
    // The same seed streams as TuningExperiment's, so the library and the tool split alike.
    private const int TestStream = 1_000_001;
    private const int ValidationStream = 1_000_002;
    private const int FoldStream = 1_000_003;

    /// <exception cref="CliException">The test file's header differs, a split column is unknown or unusable, or a split leaves a side empty.</exception>
    public static HeldOutRows Split(MLContext ml, TabularFile file, IDataView data, HoldOutSettings settings, double validationFraction, int seed, string[] asText, Func<IDataView, IDataView> labelled)
    {
        var columns = new SplitColumns(settings.GroupColumn, settings.OrderColumn);
        try
        {
            IDataView? test = null;
            IDataView LoadLike(string path, string what)
            {
                var other = TabularFile.Inspect(path);
                var expected = file.Columns.Select(c => c.Name).ToList();
                var found = other.Columns.Select(c => c.Name).ToList();
                if (!expected.SequenceEqual(found))
                {
                    throw new CliException($"The {what} '{path}' must have the columns of '{file.Path}' in the same order: expected {string.Join(", ", expected)}; found {string.Join(", ", found)}.");
                }

                // These rows get the training rows' label handling: a row without a known label is dropped, never mapped to a class.
                return labelled(file.LoadFile(ml, path, asText));
            }

            if (settings.TestDataPath is { } path)
            {
                test = LoadLike(path, "test data");
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
                (train, validation) = (rest, LoadLike(validationPath, "validation data"));
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

            return new HeldOutRows(ml.Data.Cache(train), ml.Data.Cache(validation), test is null ? null : ml.Data.Cache(test), ml.Data.Cache(rest), folds);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }
}
