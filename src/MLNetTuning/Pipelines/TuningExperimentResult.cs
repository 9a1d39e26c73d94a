using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>What a <see cref="TuningExperiment"/> found.</summary>
public sealed class TuningExperimentResult
{
    internal TuningExperimentResult(TuningMetric metric, StudyResult study, ITransformer? bestModel)
    {
        Metric = metric;
        Study = study;
        BestModel = bestModel;
    }

    /// <summary>The optimized metric.</summary>
    public TuningMetric Metric { get; }

    /// <summary>The underlying study result: every trial with parameters, value, duration and error.</summary>
    public StudyResult Study { get; }

    /// <summary>Every trial, by id. <see cref="TuningTrial.Value"/> is the metric; <c>Attributes["trainer"]</c> names the chosen trainer.</summary>
    public IReadOnlyList<TuningTrial> Trials => Study.Trials;

    /// <summary>The best completed trial, or null when every trial failed.</summary>
    public TuningTrial? BestTrial => Study.BestTrial;

    /// <summary>The best trial's metric, or null.</summary>
    public double? BestMetric => BestTrial?.Value;

    /// <summary>The best trial's model (after cross-validation: refitted on all data; with test data and
    /// <see cref="TuningExperimentOptions.RefitOnTrainAndValidation"/>: refitted on train + validation), ready for
    /// <c>mlContext.Model.Save</c>; null when every trial failed.</summary>
    public ITransformer? BestModel { get; }

    /// <summary>With test data: the top trials scored once on the held-out test rows, with bootstrap intervals and
    /// the validation optimism; null without test data or when no trial completed.</summary>
    public TuningConfirmation? Confirmation { get; internal init; }

    /// <summary>After SetNestedCrossValidation: the outer folds' estimate of the tune-then-fit procedure.</summary>
    public NestedCrossValidationEstimate? NestedCrossValidation { get; internal init; }

    /// <summary>True when every trial failed; see <see cref="FirstError"/>.</summary>
    public bool AllFailed => Study.AllFailed;

    /// <summary>The first failed trial's error, or null.</summary>
    public string? FirstError => Study.FirstError;

    /// <summary>A plain-text table of the best <paramref name="top"/> completed trials.</summary>
    public string FormatLeaderboard(int top = 10)
    {
        var rows = Trials.Where(t => t.State == TrialState.Completed)
            .OrderBy(t => t.Loss)
            .ThenBy(t => t.Id)
            .Take(top)
            .ToList();
        // Multi-fidelity runs train trials at different budgets; show them, or the ranking misleads.
        var budgets = rows.Any(t => t.Attributes.ContainsKey("budget"));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"rank",4}  {"trial",5}  {"trainer",-24} {Metric.Name,14} {"seconds",8}");
        text.AppendLine(budgets ? "  budget" : "");
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i];
            text.Append(CultureInfo.InvariantCulture, $"{i + 1,4}  {t.Id,5}  {t.Attributes.GetValueOrDefault("trainer", "?"),-24} {t.Value,14:F4} {t.Duration?.TotalSeconds,8:F2}");
            text.AppendLine(budgets ? "  " + t.Attributes.GetValueOrDefault("budget", "") : "");
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => AllFailed
        ? $"All {Trials.Count} trials failed; the first error: {FirstError}"
        : $"Best {Metric.Name} = {BestMetric:F4} by trial {BestTrial?.Id} ({BestTrial?.Attributes.GetValueOrDefault("trainer")}) out of {Trials.Count} trials.";
}
