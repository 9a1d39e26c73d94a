using MLNetTuning.Importance;
using MLNetTuning.Studies;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MLNetTuning.Visualization;

/// <summary>
/// The charts of a study, each a function of a <see cref="StudySnapshot"/> (a <see cref="StudyResult"/> or a
/// stored study). A chart that does not apply (no intermediate values, no PBT members) is null; big studies are
/// subsampled where a chart would not stay readable, and the chart's note and title say so.
/// </summary>
public static partial class StudyCharts
{
    /// <summary>At most this many lines or points in parallel coordinates, slices, contours and the timeline.</summary>
    public const int MaxMarks = 2000;

    /// <summary>At most this many learning curves.</summary>
    public const int MaxCurves = 300;

    /// <summary>Every completed trial's value by trial id, pruned trials' last values, and the best so far.</summary>
    public static StudyChart? OptimizationHistory(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var completed = study.Completed;
        if (completed.Count == 0)
        {
            return null;
        }

        var maximize = study.Direction == OptimizationDirection.Maximize;
        var best = new List<double>();
        foreach (var t in completed)
        {
            var v = t.Value!.Value;
            best.Add(best.Count == 0 ? v : maximize ? Math.Max(best[^1], v) : Math.Min(best[^1], v));
        }

        var ids = completed.Select(t => (double)t.Id).ToArray();
        var traces = new List<Trace>
        {
            Figure.Trace(Figure.ScatterType(ids.Length), ("name", "completed"), ("mode", "markers"), ("x", ids), ("y", completed.Select(t => t.Value!.Value).ToArray()),
                ("marker", Figure.Object(("color", Figure.CompletedColor), ("size", 5)))),
        };
        var pruned = study.Trials.Where(t => t.State == TrialState.Pruned && t.Value is double v && double.IsFinite(v)).ToList();
        if (pruned.Count > 0)
        {
            traces.Add(Figure.Trace(Figure.ScatterType(pruned.Count), ("name", "pruned (last value)"), ("mode", "markers"), ("x", pruned.Select(t => (double)t.Id).ToArray()),
                ("y", pruned.Select(t => t.Value!.Value).ToArray()), ("marker", Figure.Object(("color", Figure.PrunedColor), ("size", 5), ("symbol", "x")))));
        }

        // The best-so-far line through the C# chart API; the markers above set plotly.js attributes directly.
        var bestLine = CSharpChart.Line<double, double, string>(x: ids, y: best, Name: "best so far", LineColor: Color.fromString(Figure.BestColor), UseDefaults: false);
        var chart = GenericChart.combine([GenericChart.ofTraceObjects(false, traces), bestLine]);
        const string title = "Optimization history";
        return new StudyChart("history", title, Figure.WithLayout(chart, title, ("xaxis", Figure.Axis("trial")), ("yaxis", Figure.Axis("value")), ("legend", Figure.Object(("orientation", "h")))));
    }

    /// <summary>The empirical distribution function of the completed values: the share of trials at or below each value.</summary>
    public static StudyChart? EmpiricalDistribution(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var values = study.Completed.Select(t => t.Value!.Value).Order().ToArray();
        if (values.Length == 0)
        {
            return null;
        }

        var share = Enumerable.Range(1, values.Length).Select(i => (double)i / values.Length).ToArray();
        const string title = "Empirical distribution of the value";
        var trace = Figure.Trace(Figure.ScatterType(values.Length), ("name", "EDF"), ("mode", "lines"), ("x", values), ("y", share), ("line", Figure.Object(("shape", "hv"), ("color", Figure.CompletedColor))));
        return new StudyChart("edf", title, Figure.Chart([trace], title, ("xaxis", Figure.Axis("value")), ("yaxis", Figure.Axis("share of completed trials", false, ("range", new[] { 0.0, 1.0 })))));
    }

    /// <summary>Parameter importance by fANOVA (<see cref="FanovaImportance"/>), as horizontal bars.</summary>
    public static StudyChart Importance(ParameterImportanceResult importance)
    {
        ArgumentNullException.ThrowIfNull(importance);
        var ordered = importance.Parameters.Reverse().ToList();
        var bars = CSharpChart.Bar<double, string, string>(
            values: ordered.Select(p => p.Importance),
            Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(ordered.Select(p => p.Name), true),
            Name: "importance",
            MarkerColor: Color.fromString(Figure.CompletedColor),
            MultiText: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(ordered.Select(p => p.Importance.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)), true),
            UseDefaults: false);
        var note = $"fANOVA on {importance.TrialCount} completed trials" + (importance.SkippedTrials > 0 ? $" (the latest; {importance.SkippedTrials} earlier ones left out to bound the time)" : "") + ".";
        const string title = "Parameter importance (fANOVA)";
        var chart = Figure.WithLayout(bars, title, ("xaxis", Figure.Axis("share of the variance", false, ("range", new[] { 0.0, 1.0 }))), ("yaxis", Figure.Axis("", false, ("automargin", true))),
            ("height", Math.Max(300, 60 + (30 * ordered.Count))));
        return new StudyChart("importance", title, chart, note);
    }

    /// <summary>The importance chart computed from the snapshot, or null with the reason when it cannot be.</summary>
    public static (StudyChart? Chart, string? Reason) Importance(StudySnapshot study, ParameterImportanceOptions? options = null)
    {
        var (importance, reason) = Evaluate(study, options);
        return (importance is null ? null : Importance(importance), reason);
    }

    /// <summary>fANOVA importance of the snapshot's parameters, or null with the reason when it cannot be computed.</summary>
    public static (ParameterImportanceResult? Importance, string? Reason) Evaluate(StudySnapshot study, ParameterImportanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        if (study.Space is null)
        {
            return (null, "Parameter importance needs the study's search space.");
        }

        try
        {
            return (FanovaImportance.Evaluate(study.Space, study.Trials, options), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Trial durations per worker over wall-clock time, coloured by state.</summary>
    public static StudyChart? Timeline(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var finished = study.Trials.Where(t => t.CompletedAt is not null).ToList();
        if (finished.Count == 0)
        {
            return null;
        }

        var shown = Figure.Subsample(finished, MaxMarks);
        var start = study.Trials.Min(t => t.StartedAt);
        var traces = shown.GroupBy(t => t.State).Select(g => Figure.Trace(
            "bar",
            ("name", g.Key.ToString().ToLowerInvariant()),
            ("orientation", "h"),
            ("base", g.Select(t => (t.StartedAt - start).TotalSeconds).ToArray()),
            ("x", g.Select(t => Math.Max(t.Duration!.Value.TotalSeconds, 1e-3)).ToArray()),
            ("y", g.Select(t => t.WorkerId ?? "(not recorded)").ToArray()),
            ("text", g.Select(t => $"trial {t.Id}").ToArray()),
            ("marker", Figure.Object(("color", Figure.StateColor(g.Key)))))).ToList();
        var note = shown.Count < finished.Count ? $"{shown.Count} of {finished.Count} trials shown, evenly spaced." : null;
        var title = "Timeline of trials per worker" + (note is null ? "" : " (subsampled)");
        var workers = shown.Select(t => t.WorkerId).Distinct().Count();
        return new StudyChart("timeline", title, Figure.Chart(traces, title, ("barmode", "overlay"), ("xaxis", Figure.Axis("seconds since the first trial started")),
            ("yaxis", Figure.Axis("worker", false, ("automargin", true))), ("height", Math.Max(300, 120 + (40 * workers)))), note);
    }
}
