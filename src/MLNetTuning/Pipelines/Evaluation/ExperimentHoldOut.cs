using Microsoft.ML;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>The data of one experiment run after every split: the test rows come off first, then the validation
/// rows or folds, so that no test row reaches a tuner, a pruner or the model choice.</summary>
internal sealed record ExperimentSplits(IDataView Train, IDataView? Validation, IReadOnlyList<DataFold>? Folds, IDataView? Test, IDataView? RefitRows);

/// <summary>What an experiment holds back, and how it splits: test data or a test fraction, a validation fraction,
/// and the grouping and order columns every split honours.</summary>
internal sealed class ExperimentHoldOut
{
    // Streams of the experiment's seed, one per split, so that each is reproducible and independent of the others.
    private const int TestStream = 1_000_001;
    private const int ValidationStream = 1_000_002;
    private const int FoldStream = 1_000_003;

    public IDataView? TestData { get; set; }

    public double? TestFraction { get; set; }

    public double? ValidationFraction { get; set; }

    public SplitColumns Columns { get; set; } = SplitColumns.None;

    public static double CheckFraction(double fraction, string name) =>
        fraction is > 0 and <= 0.5 ? fraction : throw new ArgumentOutOfRangeException(name, fraction, $"The {name} must lie in (0, 0.5]: a share of the rows, leaving at least half for tuning.");

    /// <summary>Splits the data set on the experiment: <c>data</c> is the training data of SetTrainValidationData
    /// (with its <c>validation</c>) or all the data; <c>folds</c> is the cross-validation folds, or 0.</summary>
    public ExperimentSplits Split(MLContext context, IDataView data, IDataView? validation, int folds, int seed, bool cache)
    {
        Columns.Check(data.Schema);
        var test = TestData;
        if (test is null && TestFraction is double fraction)
        {
            if (validation is not null)
            {
                throw new InvalidOperationException("A test fraction is split off the data in one piece: use SetTrainValidationSplit or SetCrossValidationData with SetTestFraction, or give the test rows with SetTestData.");
            }

            (data, test) = DataSplitter.HoldOut(data, fraction, Columns, SeedMixer.Mix(seed, TestStream), "test set");
        }

        if (test is not null)
        {
            ExperimentDataChecks.RequireRows(test, "test data");
            ExperimentDataChecks.CheckColumnsMatch(data.Schema, test.Schema, "test data");
        }

        IDataView? refitRows = null;
        if (ValidationFraction is double share && folds < 2)
        {
            refitRows = data;
            (data, validation) = DataSplitter.HoldOut(data, share, Columns, SeedMixer.Mix(seed, ValidationStream), "validation set");
        }
        else if (validation is not null && test is not null)
        {
            refitRows = new ConcatenatedView(data, validation);
        }

        var train = cache ? context.Data.Cache(data) : data;
        var split = folds >= 2 ? DataSplitter.Folds(train, folds, Columns, SeedMixer.Mix(seed, FoldStream)) : null;
        return new ExperimentSplits(train, validation, split, test, refitRows);
    }
}
