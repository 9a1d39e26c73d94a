using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>What a <see cref="TuningExperiment"/> found.</summary>
/// <remarks>A run in which no trial completed (every trial failed, or the time ran out first) still returns a
/// result, so its trials and errors can be read; only <see cref="BestModel"/> throws, with the first error.
/// Check <see cref="BestTrial"/> for null to tell the cases apart without an exception.</remarks>
public sealed class TuningExperimentResult
{
    private readonly ITransformer? _bestModel;
    private readonly bool _rankAcrossBudgets;

    internal TuningExperimentResult(TuningMetric metric, StudyResult study, ITransformer? bestModel, bool rankAcrossBudgets = false)
    {
        _rankAcrossBudgets = rankAcrossBudgets;
        Metric = metric;
        Study = study;
        _bestModel = bestModel;
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
    /// <see cref="TuningExperimentOptions.RefitOnTrainAndValidation"/>: refitted on train + validation), ready for <c>mlContext.Model.Save</c>.</summary>
    /// <exception cref="InvalidOperationException">No trial completed, so there is no model: the message gives the
    /// trial counts and the first failed trial's error, and <see cref="Exception.InnerException"/> is that trial's
    /// exception when it ran in this process. <see cref="BestTrial"/> is then null.</exception>
    public ITransformer BestModel => _bestModel ?? throw NoModel();

    /// <summary>With test data: the top trials scored once on the held-out test rows, with bootstrap intervals and
    /// the validation optimism; null without test data or when no trial completed.</summary>
    public TuningConfirmation? Confirmation { get; internal init; }

    /// <summary>After SetNestedCrossValidation: the outer folds' estimate of the tune-then-fit procedure.</summary>
    public NestedCrossValidationEstimate? NestedCrossValidation { get; internal init; }

    /// <summary>True when every trial failed; see <see cref="FirstError"/>.</summary>
    public bool AllFailed => Study.AllFailed;

    /// <summary>The first failed trial's error, or null.</summary>
    public string? FirstError => Study.FirstError;

    private InvalidOperationException NoModel()
    {
        var firstFailed = Trials.FirstOrDefault(t => t.State == TrialState.Failed);
        var counts = Trials.Count == 0
            ? $"no trial ran (stopped by {Study.StopReason})"
            : $"none of the {Trials.Count} trials completed ({Study.FailedCount} failed, {Study.PrunedCount} pruned, stopped by {Study.StopReason})";
        var error = firstFailed is null ? "" : $"; the first error, of trial {firstFailed.Id}: {firstFailed.Error}";
        return new InvalidOperationException($"There is no best model: {counts}{error}.", firstFailed?.Exception);
    }

    /// <summary>A plain-text table of the best <paramref name="top"/> completed trials, ranked as <see cref="BestTrial"/>
    /// is chosen (in a multi-fidelity run: the highest budget first). Trials with budgets show them, with what each
    /// budget trained ("FastTree: 37 trees at budget 9").</summary>
    public string FormatLeaderboard(int top = 10)
    {
        var rows = TrialRanking.BestFirst(Trials.Where(t => t.State == TrialState.Completed), _rankAcrossBudgets)
            .Take(top)
            .ToList();
        // Multi-fidelity runs train trials at different budgets; show them, or the ranking misleads.
        var budgets = rows.Any(t => TrialProgress.Budget(t) is not null);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"rank",4}  {"trial",5}  {"trainer",-24} {Metric.Name,14} {"seconds",8}");
        text.AppendLine(budgets ? "  budget" : "");
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i];
            text.Append(CultureInfo.InvariantCulture, $"{i + 1,4}  {t.Id,5}  {t.Attributes.GetValueOrDefault("trainer", "?"),-24} {t.Value,14:F4} {t.Duration?.TotalSeconds,8:F2}");
            text.AppendLine(budgets ? "  " + TrialProgress.Budget(t) : "");
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => BestTrial is null
        ? $"No trial completed out of {Trials.Count} ({Study.FailedCount} failed, {Study.PrunedCount} pruned); the first error: {FirstError ?? "none"}"
        : $"Best {Metric.Name} = {BestMetric:F4} by trial {BestTrial?.Id} ({BestTrial?.Attributes.GetValueOrDefault("trainer")}) out of {Trials.Count} trials.";
}
