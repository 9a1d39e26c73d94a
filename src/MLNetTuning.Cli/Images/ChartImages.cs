using MLNetTuning.Importance;
using MLNetTuning.Studies;
using MLNetTuning.Visualization;
using ScottPlot;

namespace MLNetTuning.Cli.Images;

/// <summary>
/// The main charts of a study as PNG images, drawn by ScottPlot (SkiaSharp, no browser): for terminals, docs and CI logs.
/// They live in the tool, not in MLNetTuning.Visualization, so that the charts library keeps no native dependency.
/// </summary>
internal static class ChartImages
{
    public const int Width = 900;
    public const int Height = 520;

    // The report's colours (plotly's defaults), so that an image and its HTML chart look alike.
    public static readonly Color CompletedColor = Color.FromHex("#1f77b4");
    public static readonly Color PrunedColor = Color.FromHex("#7f7f7f");
    public static readonly Color BestColor = Color.FromHex("#d62728");
    public static readonly Color FailedColor = Color.FromHex("#ff7f0e");
    public static readonly Color RunningColor = Color.FromHex("#2ca02c");

    /// <summary>Writes history.png, intermediate.png, importance.png, edf.png and timeline.png into <paramref name="folder"/>,
    /// each when the study has what it shows.</summary>
    /// <returns>The files written, and for each chart left out, why.</returns>
    public static (IReadOnlyList<string> Written, IReadOnlyList<string> LeftOut) Write(StudySnapshot study, string folder, ParameterImportanceOptions? importanceOptions = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var leftOut = new List<string>();
        void Save(string name, Plot? plot, string reason)
        {
            if (plot is null)
            {
                leftOut.Add($"{name}: {reason}");
                return;
            }

            var path = Path.Combine(folder, name);
            plot.SavePng(path, Width, Height);
            written.Add(path);
        }

        Save("history.png", History(study), "no completed trial");
        Save("intermediate.png", Intermediate(study), "no trial reported intermediate values");
        var (importance, reason) = StudyCharts.Evaluate(study, importanceOptions ?? new ParameterImportanceOptions { NumberOfTrees = 32, MaxTrials = 1000 });
        Save("importance.png", importance is null ? null : Importance(importance), reason ?? "");
        Save("edf.png", Distribution(study), "no completed trial");
        Save("timeline.png", Timeline(study), "no finished trial");
        return (written, leftOut);
    }

    /// <summary>Completed values by trial id, pruned trials' last values, and the best so far as a step line.</summary>
    public static Plot? History(StudySnapshot study)
    {
        var completed = study.Completed;
        if (completed.Count == 0)
        {
            return null;
        }

        var plot = NewPlot($"Optimization history of '{study.Name}'", "trial", "value");
        var ids = completed.Select(t => (double)t.Id).ToArray();
        var values = completed.Select(t => t.Value!.Value).ToArray();
        var points = plot.Add.ScatterPoints(ids, values, CompletedColor);
        points.LegendText = "completed";
        points.MarkerSize = 6;
        var pruned = study.Trials.Where(t => t.State == TrialState.Pruned && t.Value is double v && double.IsFinite(v)).ToList();
        if (pruned.Count > 0)
        {
            var marks = plot.Add.ScatterPoints(pruned.Select(t => (double)t.Id).ToArray(), pruned.Select(t => t.Value!.Value).ToArray(), PrunedColor);
            marks.LegendText = "pruned (last value)";
            marks.MarkerShape = MarkerShape.Eks;
        }

        var maximize = study.Direction == OptimizationDirection.Maximize;
        var best = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            best[i] = i == 0 ? values[0] : maximize ? Math.Max(best[i - 1], values[i]) : Math.Min(best[i - 1], values[i]);
        }

        var line = plot.Add.ScatterLine(ids, best, BestColor);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LineWidth = 2;
        line.LegendText = "best so far";
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>Learning curves (intermediate value by step), coloured by the trial's state; at most
    /// <see cref="StudyCharts.MaxCurves"/> curves, completed ones first.</summary>
    public static Plot? Intermediate(StudySnapshot study)
    {
        var curves = study.Trials.Where(t => t.IntermediateValues.Count > 0)
            .OrderByDescending(t => t.State == TrialState.Completed).ThenBy(t => t.Id).Take(StudyCharts.MaxCurves).ToList();
        if (curves.Count == 0)
        {
            return null;
        }

        var plot = NewPlot("Intermediate values (learning curves)", "step", "intermediate value");
        var labelled = new HashSet<TrialState>();
        foreach (var t in curves)
        {
            var steps = t.IntermediateValues.OrderBy(kv => kv.Key).Where(kv => double.IsFinite(kv.Value)).ToList();
            if (steps.Count == 0)
            {
                continue;
            }

            var curve = plot.Add.ScatterLine(steps.Select(kv => (double)kv.Key).ToArray(), steps.Select(kv => kv.Value).ToArray(), StateColor(t.State));
            curve.MarkerSize = 4;
            curve.MarkerShape = t.State == TrialState.Pruned ? MarkerShape.Eks : MarkerShape.FilledCircle;
            if (labelled.Add(t.State))
            {
                curve.LegendText = t.State.ToString().ToLowerInvariant();
            }
        }

        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>fANOVA importance as horizontal bars, the most important on top.</summary>
    public static Plot Importance(ParameterImportanceResult importance)
    {
        ArgumentNullException.ThrowIfNull(importance);
        var ordered = importance.Parameters.Reverse().ToList();
        var plot = NewPlot("Parameter importance (fANOVA)", "importance (share of the main effects)", "");
        var bars = plot.Add.Bars(ordered.Select(p => p.Importance).ToArray());
        bars.Horizontal = true;
        bars.Color = CompletedColor;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, ordered.Count).Select(i => (double)i).ToArray(), ordered.Select(p => p.Name).ToArray());
        plot.Axes.Margins(left: 0);
        return plot;
    }

    /// <summary>The empirical distribution function of the completed values.</summary>
    public static Plot? Distribution(StudySnapshot study)
    {
        var values = study.Completed.Select(t => t.Value!.Value).Order().ToArray();
        if (values.Length == 0)
        {
            return null;
        }

        var plot = NewPlot("Empirical distribution of the value", "value", "share of completed trials");
        var share = Enumerable.Range(1, values.Length).Select(i => (double)i / values.Length).ToArray();
        var line = plot.Add.ScatterLine(values, share, CompletedColor);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LineWidth = 2;
        plot.Axes.SetLimitsY(0, 1.05);
        return plot;
    }

    /// <summary>Each finished trial as a bar from its start to its end, one row per worker, coloured by state.</summary>
    public static Plot? Timeline(StudySnapshot study)
    {
        var finished = study.Trials.Where(t => t.CompletedAt is not null).ToList();
        if (finished.Count == 0)
        {
            return null;
        }

        var start = study.Trials.Min(t => t.StartedAt);
        var workers = finished.Select(t => t.WorkerId ?? "(not recorded)").Distinct().Order(StringComparer.Ordinal).ToList();
        var row = workers.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => (double)p.i);
        var plot = NewPlot("Timeline of trials per worker", "seconds since the first trial started", "");
        var bars = finished.Select(t => new Bar
        {
            Position = row[t.WorkerId ?? "(not recorded)"],
            ValueBase = (t.StartedAt - start).TotalSeconds,
            Value = (t.CompletedAt!.Value - start).TotalSeconds,
            FillColor = StateColor(t.State),

            // A white edge keeps trials that follow each other, or overlap in one worker, apart.
            LineColor = Colors.White,
            LineWidth = 1,
            Size = 0.6,
        }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        plot.Axes.Left.SetTicks(workers.Select(w => row[w]).ToArray(), workers.ToArray());
        return plot;
    }

    public static Color StateColor(TrialState state) => state switch
    {
        TrialState.Completed => CompletedColor,
        TrialState.Pruned => PrunedColor,
        TrialState.Failed => FailedColor,
        _ => RunningColor,
    };

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        if (y.Length > 0)
        {
            plot.YLabel(y);
        }

        return plot;
    }
}
