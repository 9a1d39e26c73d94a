using System.Globalization;
using Microsoft.ML;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using Spectre.Console;

namespace MLNetTuning.Cli.Running;

/// <summary>The test rows of a tune run: announced before the study, scored once after it, and reported.</summary>
internal static class TestReport
{
    /// <summary>Says what is held back (<paramref name="rows"/> test rows, counted before the study is announced:
    /// the count reads the data once, and tuning starts right after the announcement), before the first trial.</summary>
    public static void Announce(TuneSettings settings, PreparedData prepared, int rows, IAnsiConsole console)
    {
        if (prepared.Test is null)
        {
            console.MarkupLine("No test rows held back: the validation score below is optimistic (it chose the model). Use --test-fraction or --test-data for an unbiased score.");
            return;
        }

        var source = settings.TestData is { } path
            ? $"from '{path}'"
            : settings.TestFractionIsDefault
                ? string.Create(CultureInfo.InvariantCulture, $"{settings.TestFraction * 100:0}% of the rows, the default for data of {Commands.TestOptions.DefaultTestRows:N0} rows or more (--test-fraction 0 for none)")
                : string.Create(CultureInfo.InvariantCulture, $"{settings.TestFraction * 100:0}% of the rows");
        var how = settings.OrderColumn is { } order ? $", the latest by '{order}'" : "";
        var groups = settings.GroupColumn is { } group ? $", whole groups of '{group}'" : "";
        var dropped = prepared.TestRowsDropped > 0 ? $", {prepared.TestRowsDropped} dropped for a missing label" : "";
        console.MarkupLineInterpolated($"Test: {rows} rows held back ({source}{how}{groups}{dropped}); no trial sees them, the top trials are scored on them once after the study.");
    }

    /// <summary>Refits the top trials on train + validation and scores them on the test rows; training for it stops
    /// at <paramref name="deadline"/> (the end of training under a time budget) and the bootstrap at
    /// <paramref name="budgetEnd"/>, see <see cref="Confirmer"/>.</summary>
    public static (TuningConfirmation Confirmation, ITransformer BestModel) Confirm(TuneSettings settings, PreparedData prepared, TuningTrial best, IReadOnlyList<TuningTrial> trials, Func<int, ITransformer?> keptModel, CancellationToken cancellationToken, CancellationToken deadline, CancellationToken budgetEnd)
    {
        ITransformer Fit(TuningTrial trial, IDataView? rows, CancellationToken token) =>
            rows is null && keptModel(trial.Id) is { } kept ? kept : prepared.Fit(settings.Seed, trial, rows, token);

        return Confirmer.Run(best, trials, prepared.Metric, PreparedData.LabelColumn, Fit, prepared.Test!, prepared.RefitRows, new TuningExperimentOptions(), settings.Seed, cancellationToken, deadline, budgetEnd);
    }

    /// <summary>The closing lines.</summary>
    public static void Show(TuningConfirmation confirmation, TuningMetric metric, IAnsiConsole console)
    {
        var best = confirmation.Best;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Test {metric.Name} = [bold]{best.TestMetric.Value:F4}[/] (95% bootstrap interval {best.TestMetric.Low:F4} to {best.TestMetric.High:F4}, {confirmation.TestRows} test rows{(confirmation.Resamples < new TuningExperimentOptions().BootstrapResamples ? $", {confirmation.Resamples} resamples: the time budget's end stopped the bootstrap" : "")}), {(confirmation.RefitOnTrainAndValidation ? "refitted on train + validation" : "the model trained on the training rows: the time budget left no time to refit it on train + validation")}.");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Validation {best.ValidationMetric:F4} vs test {best.TrainOnlyTestMetric.Value:F4} of the same model trained on the training rows: optimism {best.Optimism:+0.0000;-0.0000} (how much the validation score flatters the choice).");
    }
}
