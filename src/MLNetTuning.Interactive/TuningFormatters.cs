using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Visualization;
using Plotly.NET;

namespace MLNetTuning.Interactive;

/// <summary>
/// HTML views of the pack's results for .NET Interactive notebooks. A kernel that restores the MLNetTuning.Interactive
/// package calls <see cref="Register"/> on its own (the package's <c>interactive-extensions/dotnet/extension.dib</c>),
/// so a cell that ends with a <see cref="StudyResult"/>, <see cref="TuningExperimentResult"/>, <see cref="TuningTrial"/>
/// or <see cref="HyperparameterSpace"/> shows a table (and, for results, the optimization history chart), and a
/// <see cref="StudyChart"/> or a Plotly.NET <see cref="GenericChart"/> shows the chart.
/// </summary>
public static class TuningFormatters
{
    /// <summary>Registers the <c>text/html</c> formatters. Calling it again does no harm (the last registration wins).</summary>
    public static void Register()
    {
        Formatter.Register<StudyResult>((result, writer) => writer.Write(ToHtml(result)), HtmlFormatter.MimeType);
        Formatter.Register<TuningExperimentResult>((result, writer) => writer.Write(ToHtml(result)), HtmlFormatter.MimeType);
        Formatter.Register<TuningTrial>((trial, writer) => writer.Write(ToHtml(trial)), HtmlFormatter.MimeType);
        Formatter.Register<HyperparameterSpace>((space, writer) => writer.Write(ToHtml(space)), HtmlFormatter.MimeType);
        Formatter.Register<StudyChart>((chart, writer) => writer.Write(ToHtml(chart)), HtmlFormatter.MimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(GenericChart.toChartHTML(chart)), HtmlFormatter.MimeType);
    }

    /// <summary>A chart of the visualization package, with its note (e.g. how many trials a subsampled chart shows).</summary>
    public static string ToHtml(StudyChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var html = new StringBuilder("<div class=\"mlnettuning-chart\">").Append(GenericChart.toChartHTML(chart.Figure));
        if (chart.Note is { Length: > 0 } note)
        {
            html.Append("<p>").Append(TrialsHtml.Encode(note)).Append("</p>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>A study's summary, its trials (best first) and its charts.</summary>
    /// <param name="result">The run's result.</param>
    /// <param name="space">The study's space (<see cref="TuningStudy.Space"/>), for the charts' axes; optional.</param>
    public static string ToHtml(StudyResult result, HyperparameterSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder("<div class=\"mlnettuning-study\">");
        html.Append("<p>").Append(TrialsHtml.Encode(Summary(result))).Append("</p>");
        Warnings(html, result.Warnings);
        TrialsTable(html, result.Trials, "value", result.BestTrial?.Id);
        TrialsHtml.Charts(html, result, space);
        return html.Append("</div>").ToString();
    }

    /// <summary>An experiment's best trial, its leaderboard (every trial, best first) and its charts.</summary>
    public static string ToHtml(TuningExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder("<div class=\"mlnettuning-experiment\">");
        html.Append("<p><b>").Append(TrialsHtml.Encode(result.ToString())).Append("</b></p>");
        html.Append("<p>").Append(TrialsHtml.Encode(Summary(result.Study))).Append("</p>");
        Warnings(html, result.Study.Warnings);
        TrialsTable(html, result.Trials, result.Metric.Name, result.BestTrial?.Id);
        TrialsHtml.Charts(html, result.Study, null);
        return html.Append("</div>").ToString();
    }

    /// <summary>One trial: its state, value, budget, time, parameters, attributes and learning curve.</summary>
    public static string ToHtml(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var html = new StringBuilder("<div class=\"mlnettuning-trial\">");
        TrialsHtml.Table(html, [trial], "value", ranked: false);
        if (trial.Attributes.Count > 0 || trial.IntermediateValues.Count > 0)
        {
            html.Append("<table><thead><tr><th>attribute</th><th>value</th></tr></thead><tbody>");
            foreach (var (name, value) in trial.Attributes)
            {
                html.Append("<tr><td>").Append(TrialsHtml.Encode(name)).Append("</td><td>").Append(TrialsHtml.Encode(value)).Append("</td></tr>");
            }

            if (trial.IntermediateValues.Count > 0)
            {
                var curve = string.Join(", ", trial.IntermediateValues.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {TrialsHtml.Number(kv.Value)}"));
                html.Append("<tr><td>intermediate values</td><td>").Append(TrialsHtml.Encode(curve)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>A space's parameters (nested spaces and branches by path) with their kinds, ranges and defaults.</summary>
    public static string ToHtml(HyperparameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var html = new StringBuilder("<div class=\"mlnettuning-space\">");
        TrialsHtml.Space(html, space);
        return html.Append("</div>").ToString();
    }

    private static string Summary(StudyResult result) =>
        $"{result.Trials.Count} trials: {result.CompletedCount} completed, {result.FailedCount} failed, {result.PrunedCount} pruned; stopped by {result.StopReason} after {result.Elapsed.TotalSeconds:F1} s.";

    private static void Warnings(StringBuilder html, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            html.Append("<p style=\"color:#b35900\">").Append(TrialsHtml.Encode(warning)).Append("</p>");
        }
    }

    /// <summary>Completed trials best first, then the others by id.</summary>
    private static void TrialsTable(StringBuilder html, IReadOnlyList<TuningTrial> trials, string valueName, int? bestId)
    {
        var ranked = TrialsHtml.BestFirst(trials);
        var rest = trials.Where(t => t.State != TrialState.Completed).OrderBy(t => t.Id);
        TrialsHtml.Table(html, [.. ranked, .. rest], valueName, ranked: false, bestId);
    }
}
