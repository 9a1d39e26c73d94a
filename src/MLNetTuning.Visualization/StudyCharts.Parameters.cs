using MLNetTuning.Studies;
using Plotly.NET;

namespace MLNetTuning.Visualization;

public static partial class StudyCharts
{
    /// <summary>One axis per parameter and one for the value, a line per completed trial coloured by its value.
    /// A branch's member is drawn on its axis only where the branch was chosen; elsewhere at the mark "not chosen".</summary>
    public static StudyChart? ParallelCoordinates(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var all = study.Completed;
        var names = study.Parameters.Names;
        if (all.Count == 0 || names.Count == 0)
        {
            return null;
        }

        var trials = Figure.Subsample(all, MaxMarks, KeepBest(study, all));
        var dimensions = names.Select(n => Dimension(study, trials, n)).ToList();
        var values = trials.Select(t => t.Value!.Value).ToArray();
        dimensions.Add(Figure.Object(("label", "value"), ("values", values)));
        var trace = Figure.Trace("parcoords", ("dimensions", dimensions),
            ("line", Figure.Object(("color", values), ("colorscale", "Viridis"), ("showscale", true), ("reversescale", study.Direction == OptimizationDirection.Minimize))));
        var note = SubsampleNote(trials.Count, all.Count);
        var title = "Parallel coordinates" + (note is null ? "" : " (subsampled)");
        return new StudyChart("parallel", title, Figure.Chart([trace], title, ("margin", Figure.Object(("l", 80), ("r", 80)))), note);
    }

    /// <summary>The value against each parameter, one panel per parameter, only trials where it was active.</summary>
    public static StudyChart? Slice(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var all = study.Completed;
        var names = study.Parameters.Names;
        if (all.Count == 0 || names.Count == 0)
        {
            return null;
        }

        var trials = Figure.Subsample(all, MaxMarks, KeepBest(study, all));
        var columns = Math.Min(3, names.Count);
        var rows = (names.Count + columns - 1) / columns;
        var traces = new List<Trace>();
        var layout = new List<(string, object?)>
        {
            ("grid", Figure.Object(("rows", rows), ("columns", columns), ("pattern", "independent"))),
            ("height", Math.Max(360, 300 * rows)),
            ("showlegend", false),
        };
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var active = trials.Where(t => study.Parameters.Value(t.Id, name) is not null).ToList();
            var suffix = i == 0 ? "" : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            traces.Add(Figure.Trace(Figure.ScatterType(active.Count), ("name", name), ("mode", "markers"), ("xaxis", "x" + suffix), ("yaxis", "y" + suffix),
                ("x", active.Select(t => study.Parameters.Value(t.Id, name)).ToArray()), ("y", active.Select(t => t.Value!.Value).ToArray()),
                ("marker", Figure.Object(("color", active.Select(t => (double)t.Id).ToArray()), ("colorscale", "Blues"), ("size", 5)))));
            layout.Add(("xaxis" + suffix, Figure.Axis(name, study.Parameters.LogScale.Contains(name))));
            layout.Add(("yaxis" + suffix, Figure.Axis(i % columns == 0 ? "value" : "")));
        }

        var note = SubsampleNote(trials.Count, all.Count);
        var title = "Slice: the value against each parameter" + (note is null ? "" : " (subsampled)");
        return new StudyChart("slice", title, Figure.Chart(traces, title, [.. layout]), note);
    }

    /// <summary>The value over two parameters: the mean value on a 24 × 24 grid of cells, with the trials on top;
    /// only trials where both parameters were active. Null unless both are among <see cref="ParameterTable.Names"/>.</summary>
    public static StudyChart? Contour(StudySnapshot study, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(study);
        var names = study.Parameters.Names;
        if (!names.Contains(xName) || !names.Contains(yName) || xName == yName)
        {
            return null;
        }

        var all = study.Completed.Where(t => study.Parameters.Value(t.Id, xName) is not null && study.Parameters.Value(t.Id, yName) is not null).ToList();
        if (all.Count < 2)
        {
            return null;
        }

        var (xs, xAxis) = Coordinates(study, all, xName);
        var (ys, yAxis) = Coordinates(study, all, yName);
        const int cells = 24;
        var (xEdges, xCenters) = Edges(xs, cells);
        var (yEdges, yCenters) = Edges(ys, cells);
        var sum = new double[cells, cells];
        var count = new int[cells, cells];
        for (var i = 0; i < all.Count; i++)
        {
            int a = Cell(xEdges, xs[i]), b = Cell(yEdges, ys[i]);
            sum[b, a] += all[i].Value!.Value;
            count[b, a]++;
        }

        var z = Enumerable.Range(0, cells).Select(b => Enumerable.Range(0, cells).Select(a => count[b, a] == 0 ? (double?)null : sum[b, a] / count[b, a]).ToArray()).ToArray();
        var shown = Figure.Subsample(Enumerable.Range(0, all.Count).ToList(), MaxMarks);
        var traces = new List<Trace>
        {
            Figure.Trace("contour", ("name", "mean value"), ("x", xCenters), ("y", yCenters), ("z", z), ("connectgaps", true), ("colorscale", "Viridis"),
                ("reversescale", study.Direction == OptimizationDirection.Minimize), ("colorbar", Figure.Object(("title", Figure.Object(("text", "value")))))),
            Figure.Trace(Figure.ScatterType(shown.Count), ("name", "trials"), ("mode", "markers"), ("x", shown.Select(i => xs[i]).ToArray()), ("y", shown.Select(i => ys[i]).ToArray()),
                ("marker", Figure.Object(("color", "black"), ("size", 4), ("opacity", 0.6)))),
        };
        var note = SubsampleNote(shown.Count, all.Count);
        var title = $"Contour: {xName} × {yName}" + (note is null ? "" : " (trials subsampled)");
        return new StudyChart("contour", title, Figure.Chart(traces, title, ("xaxis", Figure.Axis(xName, false, [.. xAxis])), ("yaxis", Figure.Axis(yName, false, [.. yAxis])), ("showlegend", false)), note);
    }

    private static Func<TuningTrial, bool> KeepBest(StudySnapshot study, IReadOnlyList<TuningTrial> completed)
    {
        // The best tenth always stays in a subsample: it is what the reader looks for.
        var ordered = completed.Select(t => t.Value!.Value).Order().ToList();
        var cut = study.Direction == OptimizationDirection.Maximize ? ordered[(int)(ordered.Count * 0.9)] : ordered[(int)(ordered.Count * 0.1)];
        return t => study.Direction == OptimizationDirection.Maximize ? t.Value >= cut : t.Value <= cut;
    }

    private static string? SubsampleNote(int shown, int total) =>
        shown < total ? $"Subsampled: {shown} of {total} completed trials shown (the best tenth kept, the rest evenly spaced)." : null;

    private static Dictionary<string, object?> Dimension(StudySnapshot study, List<TuningTrial> trials, string name)
    {
        var (values, axis) = Coordinates(study, trials, name, missingMark: true);
        return Figure.Object([("label", name), ("values", values), .. axis]);
    }

    /// <summary>A parameter's plotted coordinate per trial: log10 on a log scale, the category index for text;
    /// with <paramref name="missingMark"/>, inactive trials sit one step below the axis at a "not chosen" tick.</summary>
    private static (double[] Values, List<(string, object?)> Axis) Coordinates(StudySnapshot study, List<TuningTrial> trials, string name, bool missingMark = false)
    {
        var p = study.Parameters;
        var axis = new List<(string, object?)>();
        double[] values;
        List<double> tickValues = [];
        List<string> tickText = [];
        if (p.IsNumeric(name))
        {
            var log = p.LogScale.Contains(name);
            values = trials.Select(t => p.Value(t.Id, name) is double v ? (log ? Math.Log10(v) : v) : double.NaN).ToArray();
            if (log)
            {
                // A parameter of a trainer whose trials all failed has no value among the completed trials: no ticks.
                var finite = values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).ToList();
                for (var e = Math.Floor(finite.Min()); e <= Math.Ceiling(finite.Max()); e++)
                {
                    tickValues.Add(e);
                    tickText.Add(Figure.Format(Math.Pow(10, e)));
                }
            }
        }
        else
        {
            var categories = p.Categories(name).ToList();
            values = trials.Select(t => p.Value(t.Id, name) is string s ? categories.IndexOf(s) : double.NaN).ToArray();
            tickValues.AddRange(Enumerable.Range(0, categories.Count).Select(i => (double)i));
            tickText.AddRange(categories);
        }

        if (missingMark && values.Any(double.IsNaN))
        {
            var active = values.Where(double.IsFinite).ToList();
            var span = active.Count == 0 ? 1 : Math.Max(active.Max() - active.Min(), 1e-9);
            var mark = (active.Count == 0 ? 0 : active.Min()) - (span * 0.15);
            values = values.Select(v => double.IsNaN(v) ? mark : v).ToArray();
            if (tickValues.Count == 0)
            {
                var min = active.Count == 0 ? 0 : active.Min();
                tickValues.AddRange(Enumerable.Range(0, 5).Select(i => min + (span * i / 4)));
                tickText.AddRange(tickValues.Select(Figure.Format));
            }

            tickValues.Insert(0, mark);
            tickText.Insert(0, "not chosen");
        }

        if (tickValues.Count > 0)
        {
            axis.Add(("tickvals", tickValues.ToArray()));
            axis.Add(("ticktext", tickText.ToArray()));
        }

        return (values, axis);
    }

    private static (double[] Edges, double[] Centers) Edges(double[] values, int cells)
    {
        double min = values.Min(), max = values.Max();
        if (max <= min)
        {
            max = min + 1;
        }

        var edges = Enumerable.Range(0, cells + 1).Select(i => min + ((max - min) * i / cells)).ToArray();
        return (edges, Enumerable.Range(0, cells).Select(i => (edges[i] + edges[i + 1]) / 2).ToArray());
    }

    private static int Cell(double[] edges, double x) => Math.Clamp((int)((x - edges[0]) / (edges[^1] - edges[0]) * (edges.Length - 1)), 0, edges.Length - 2);
}
