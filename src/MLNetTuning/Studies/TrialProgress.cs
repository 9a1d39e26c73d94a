using System.Globalization;
using System.Text;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Studies;

/// <summary>
/// A trial that ended, as reported to <see cref="TuningStudyOptions.Progress"/> and written, as
/// <see cref="Message"/>, to <c>MLContext.Log</c> (source "MLNetTuning"): one per trial.
/// </summary>
public sealed class TrialProgress
{
    internal TrialProgress(TuningTrial trial, TuningTrial? bestTrial, int finishedTrials, string metricName)
    {
        Trial = trial;
        BestTrial = bestTrial;
        FinishedTrials = finishedTrials;
        MetricName = metricName;
        Message = Format(trial, bestTrial, metricName);
    }

    /// <summary>The trial that ended (completed, pruned or failed).</summary>
    public TuningTrial Trial { get; }

    /// <summary>The study's best trial now, or null while none completed.</summary>
    public TuningTrial? BestTrial { get; }

    /// <summary>Trials of this study object that have ended, this one included (stored trials of earlier runs not counted).</summary>
    public int FinishedTrials { get; }

    /// <summary>The metric's name ("value" for a study without one).</summary>
    public string MetricName { get; }

    /// <summary>The one line: e.g. <c>Trial 12 completed in 1.84 s: AUC 0.8712 (best 0.8790, trial 7); FastTree: 37 trees at budget 9; {LearningRate=0.12}</c>.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;

    /// <summary>The line for a trial: its state, time, value against the best, trainer and budget, and parameters.</summary>
    public static string Format(TuningTrial trial, TuningTrial? bestTrial, string metricName)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricName);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"Trial {trial.Id} {trial.State.ToString().ToLowerInvariant()}");
        if (trial.State == TrialState.Pruned && trial.IntermediateValues.Count > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" at step {trial.IntermediateValues.Keys.Max()}");
        }

        if (trial.Duration is { } duration)
        {
            line.Append(CultureInfo.InvariantCulture, $" {(trial.State == TrialState.Completed ? "in" : "after")} {duration.TotalSeconds:F2} s");
        }

        line.Append(": ");
        line.Append(trial.State == TrialState.Failed ? trial.Error : $"{metricName} {Value(trial.Value)}");
        line.Append(bestTrial is null ? " (none completed yet)" : string.Create(CultureInfo.InvariantCulture, $" (best {Value(bestTrial.Value)}, trial {bestTrial.Id})"));
        // The budget note names the trainers it budgets ("FastTree: 37 trees"); without one, name the trainer.
        var trainer = trial.Attributes.ContainsKey("budget") ? null : trial.Attributes.GetValueOrDefault("trainer");
        var shown = string.Join(" ", new[] { trainer, Budget(trial) }.Where(s => s is not null));
        if (shown.Length > 0)
        {
            line.Append("; ").Append(shown);
        }

        line.Append("; ").Append(trial.Parameters);
        return line.ToString();
    }

    /// <summary>"FastTree: 37 trees at budget 9", "budget 9", or null for a trial without a budget.</summary>
    internal static string? Budget(TuningTrial trial)
    {
        var note = trial.Attributes.GetValueOrDefault("budget");
        var budget = trial.Budget is double b ? "budget " + TrialParameters.FormatValue(b) : null;
        return (note, budget) switch
        {
            (null, null) => null,
            (null, _) => budget,
            (_, null) => note,
            _ => $"{note} at {budget}",
        };
    }

    private static string Value(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "-";
}
