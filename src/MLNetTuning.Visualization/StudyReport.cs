using System.Globalization;
using System.Net;
using System.Text;
using MLNetTuning.Importance;
using MLNetTuning.Studies;

namespace MLNetTuning.Visualization;

/// <summary>
/// One self-contained HTML file for a study: a summary, the test-set section, the leaderboard, the best parameters and every chart
/// that applies, with plotly.js embedded (the copy Plotly.NET ships), so that it opens offline and fetches nothing.
/// </summary>
public static class StudyReport
{
    private static readonly Lazy<string> PlotlyJs = new(ReadPlotlyJs);

    /// <summary>Trials in the leaderboard.</summary>
    public const int LeaderboardSize = 10;

    /// <summary>The charts that apply to the study, in report order, and for each chart left out, why.</summary>
    public static (IReadOnlyList<StudyChart> Charts, IReadOnlyList<string> LeftOut) Charts(StudySnapshot study, ParameterImportanceOptions? importanceOptions = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        var charts = new List<StudyChart>();
        var leftOut = new List<string>();
        void Add(StudyChart? chart, string name, string why)
        {
            if (chart is null)
            {
                leftOut.Add($"{name}: {why}");
            }
            else
            {
                charts.Add(chart);
            }
        }

        var noCompleted = "no completed trial.";
        Add(StudyCharts.OptimizationHistory(study), "Optimization history", noCompleted);
        Add(StudyCharts.IntermediateValues(study), "Intermediate values", "no trial reported intermediate values or ran at a rung.");
        Add(StudyCharts.HyperbandBrackets(study), "Brackets", "the study has no successive-halving brackets.");
        Add(StudyCharts.PbtLineage(study), "PBT lineage", "the study is not population-based training.");
        var (importance, importanceReason) = StudyCharts.Evaluate(study, importanceOptions ?? new ParameterImportanceOptions { NumberOfTrees = 32, MaxTrials = 1000 });
        Add(importance is null ? null : StudyCharts.Importance(importance), "Parameter importance", importanceReason ?? "");
        Add(StudyCharts.ParallelCoordinates(study), "Parallel coordinates", study.Completed.Count == 0 ? noCompleted : "no parameter varies.");
        Add(StudyCharts.Slice(study), "Slice", study.Completed.Count == 0 ? noCompleted : "no parameter varies.");
        var pair = ContourPair(study, importance?.Parameters.Select(p => p.Name).ToList());
        Add(pair is null ? null : StudyCharts.Contour(study, pair.Value.X, pair.Value.Y), "Contour", "it needs two varying parameters active together in at least two completed trials.");
        Add(StudyCharts.EmpiricalDistribution(study), "Empirical distribution", noCompleted);
        Add(StudyCharts.Timeline(study), "Timeline", "no trial has finished.");
        return (charts, leftOut);
    }

    /// <summary>Builds the report's HTML.</summary>
    public static string Build(StudySnapshot study, ParameterImportanceOptions? importanceOptions = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        var (charts, leftOut) = Charts(study, importanceOptions);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Study ").Append(Encode(study.Name)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}")
            .Append("th{background:#f3f3f3}.note{color:#666;font-size:13px}.chart{margin-bottom:24px}pre{background:#f7f7f7;padding:8px}</style>\n<script>")
            .Append(PlotlyJs.Value.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n</head><body>\n");
        html.Append("<h1>Study ").Append(Encode(study.Name)).Append("</h1>\n");
        AppendSummary(html, study);
        StudyReportTestSection.Append(html, study);
        if (study.Completed.Count == 0)
        {
            html.Append("<p id=\"no-charts\"><strong>No trial completed, so there is no value to chart.</strong> ")
                .Append(Encode(Counts(study))).Append(study.Trials.FirstOrDefault(t => t.Error is not null) is { } failed ? $" The first error (trial {failed.Id}): {Encode(failed.Error!)}" : "")
                .Append("</p>\n");
        }
        else
        {
            AppendLeaderboard(html, study);
        }

        foreach (var chart in charts)
        {
            html.Append("<section class=\"chart\"><h2>").Append(Encode(chart.Title)).Append("</h2>");
            if (chart.Note is not null)
            {
                html.Append("<p class=\"note\">").Append(Encode(chart.Note)).Append("</p>");
            }

            html.Append("<div id=\"chart-").Append(chart.Id).Append("\" class=\"plot\" data-chart=\"").Append(chart.Id).Append("\"></div>\n<script>(function(){var f=")
                .Append(chart.ToJson()).Append(";Plotly.newPlot('chart-").Append(chart.Id).Append("',f.data,f.layout,{displaylogo:false,responsive:true});})();</script></section>\n");
        }

        if (leftOut.Count > 0)
        {
            html.Append("<h2>Charts not drawn</h2><ul id=\"left-out\">");
            foreach (var why in leftOut)
            {
                html.Append("<li>").Append(Encode(why)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("<p class=\"note\">Made by MLNetTuning at ").Append(DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture)).Append(" with plotly.js embedded (no network needed).</p>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes the report to <paramref name="path"/>, creating its folder.</summary>
    /// <exception cref="IOException">The file cannot be written; the message names the path and the cause.</exception>
    public static void Write(StudySnapshot study, string path, ParameterImportanceOptions? importanceOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var html = Build(study, importanceOptions);
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(path, html, new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"Cannot write the report to '{path}': {e.Message}", e);
        }
    }

    private static void AppendSummary(StringBuilder html, StudySnapshot study)
    {
        var best = study.Best;
        var finished = study.Trials.Where(t => t.CompletedAt is not null).ToList();
        var span = finished.Count == 0 ? TimeSpan.Zero : finished.Max(t => t.CompletedAt!.Value) - study.Trials.Min(t => t.StartedAt);
        html.Append("<h2>Summary</h2><table id=\"summary\">");
        Row(html, "Direction", study.Direction.ToString().ToLowerInvariant());
        Row(html, "Trials", Counts(study));
        Row(html, "Best value", best is null ? "none" : $"{Figure.Format(best.Value!.Value)} (trial {best.Id})");
        Row(html, "Wall-clock span", span.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture));
        Row(html, "Workers", study.Trials.Select(t => t.WorkerId).Distinct().Count().ToString(CultureInfo.InvariantCulture));
        html.Append("</table>\n");
        if (best is not null)
        {
            html.Append("<h2>Best parameters</h2><pre id=\"best-parameters\">").Append(Encode(best.Parameters.ToJson(indented: true))).Append("</pre>\n");
        }
    }

    private static void AppendLeaderboard(StringBuilder html, StudySnapshot study)
    {
        var ordered = study.Direction == OptimizationDirection.Maximize ? study.Completed.OrderByDescending(t => t.Value) : study.Completed.OrderBy(t => t.Value);
        html.Append("<h2>Leaderboard</h2><table id=\"leaderboard\"><tr><th>#</th><th>trial</th><th>value</th><th>budget</th><th>seconds</th><th>parameters</th></tr>");
        var rank = 1;
        foreach (var t in ordered.ThenBy(t => t.Id).Take(LeaderboardSize))
        {
            html.Append("<tr><td>").Append(rank++).Append("</td><td>").Append(t.Id).Append("</td><td>").Append(Figure.Format(t.Value!.Value)).Append("</td><td>")
                .Append(t.Budget is double b ? Figure.Format(b) : "").Append("</td><td>").Append(t.Duration is TimeSpan d ? Figure.Format(d.TotalSeconds) : "")
                .Append("</td><td>").Append(Encode(t.Parameters.ToString())).Append("</td></tr>");
        }

        html.Append("</table>\n");
    }

    private static string Counts(StudySnapshot study) =>
        $"{study.Trials.Count} trials: " + string.Join(", ", Enum.GetValues<TrialState>().Select(s => $"{study.Trials.Count(t => t.State == s)} {s.ToString().ToLowerInvariant()}")) + ".";

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The two most important parameters (by fANOVA when known, else the first two) that appear together.</summary>
    private static (string X, string Y)? ContourPair(StudySnapshot study, IReadOnlyList<string>? byImportance)
    {
        var names = (byImportance ?? []).Where(study.Parameters.Names.Contains).Concat(study.Parameters.Names).Distinct().ToList();
        var completed = study.Completed;
        for (var i = 0; i < names.Count; i++)
        {
            for (var j = i + 1; j < names.Count; j++)
            {
                if (completed.Count(t => study.Parameters.Value(t.Id, names[i]) is not null && study.Parameters.Value(t.Id, names[j]) is not null) >= 2)
                {
                    return (names[i], names[j]);
                }
            }
        }

        return null;
    }

    private static string ReadPlotlyJs()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("Plotly.NET's assembly carries no plotly.js resource; the report cannot embed plotly.js.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
