using System.Globalization;
using MLNetTuning.Studies;
using Plotly.NET;

namespace MLNetTuning.Visualization;

public static partial class StudyCharts
{
    private const string MemberAttribute = "pbt.member";
    private const string NoteAttribute = "pbt.note";

    /// <summary>Learning curves (intermediate values by step), completed and pruned trials in their colours, pruned
    /// ones ending in a cross; with multi-fidelity tuners (SH, Hyperband, ASHA), each trial's final value at its
    /// budget marked by rung, and the rungs' budgets drawn as dashed lines.</summary>
    public static StudyChart? IntermediateValues(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var curves = study.Trials.Where(t => t.IntermediateValues.Count > 0).ToList();
        var rungTrials = study.Trials.Where(t => Rung(t) is not null && t.Budget is not null && t.Value is double v && double.IsFinite(v)).ToList();
        if (curves.Count == 0 && rungTrials.Count == 0)
        {
            return null;
        }

        var shown = Figure.Subsample(curves, MaxCurves, t => t.State == TrialState.Completed);
        var traces = new List<Trace>();
        foreach (var state in new[] { TrialState.Completed, TrialState.Pruned, TrialState.Failed, TrialState.Running })
        {
            // One trace per state, curves separated by gaps (null), keeps a 10,000-trial report small.
            var group = shown.Where(t => t.State == state).ToList();
            if (group.Count == 0)
            {
                continue;
            }

            var x = new List<double?>();
            var y = new List<double?>();
            foreach (var t in group)
            {
                foreach (var (step, value) in t.IntermediateValues)
                {
                    x.Add(step);
                    y.Add(double.IsFinite(value) ? value : null);
                }

                x.Add(null);
                y.Add(null);
            }

            traces.Add(Figure.Trace(Figure.ScatterType(x.Count), ("name", $"{state.ToString().ToLowerInvariant()} ({group.Count})"), ("mode", "lines"), ("x", x), ("y", y),
                ("line", Figure.Object(("color", Figure.StateColor(state)), ("width", 1))), ("opacity", 0.6)));
        }

        var pruned = shown.Where(t => t.State == TrialState.Pruned).Select(t => t.IntermediateValues.Last()).ToList();
        if (pruned.Count > 0)
        {
            traces.Add(Figure.Trace("scatter", ("name", "pruned here"), ("mode", "markers"), ("x", pruned.Select(kv => (double)kv.Key).ToArray()), ("y", pruned.Select(kv => kv.Value).ToArray()),
                ("marker", Figure.Object(("color", Figure.PrunedColor), ("symbol", "x"), ("size", 7)))));
        }

        var shapes = new List<object>();
        foreach (var rung in rungTrials.GroupBy(t => Rung(t)!.Value).OrderBy(g => g.Key))
        {
            var markers = Figure.Subsample(rung.ToList(), MaxMarks);
            traces.Add(Figure.Trace(Figure.ScatterType(markers.Count), ("name", $"rung {rung.Key}"), ("mode", "markers"), ("x", markers.Select(t => t.Budget!.Value).ToArray()),
                ("y", markers.Select(t => t.Value!.Value).ToArray()), ("text", markers.Select(t => $"trial {t.Id} ({t.State.ToString().ToLowerInvariant()})").ToArray()),
                ("marker", Figure.Object(("symbol", "diamond"), ("size", 8), ("line", Figure.Object(("width", 1), ("color", "black")))))));
            foreach (var budget in rung.Select(t => t.Budget!.Value).Distinct())
            {
                shapes.Add(Figure.Object(("type", "line"), ("xref", "x"), ("yref", "paper"), ("x0", budget), ("x1", budget), ("y0", 0), ("y1", 1), ("line", Figure.Object(("dash", "dash"), ("color", "#999"), ("width", 1)))));
            }
        }

        var note = shown.Count < curves.Count ? $"Subsampled: {shown.Count} of {curves.Count} learning curves shown (completed trials first, then evenly spaced)." : null;
        var title = "Intermediate values" + (rungTrials.Count > 0 ? " and rungs" : "") + (note is null ? "" : " (subsampled)");
        return new StudyChart("intermediate", title, Figure.Chart(traces, title, ("xaxis", Figure.Axis("step / budget")), ("yaxis", Figure.Axis("value")), ("shapes", shapes)), note);
    }

    /// <summary>Successive-halving brackets (SH, Hyperband, BOHB, ASHA): each trial's value at its budget, one
    /// column of rungs per bracket, so the promotions from rung to rung read left to right. Null with one bracket and one rung.</summary>
    public static StudyChart? HyperbandBrackets(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var trials = study.Trials.Where(t => Rung(t) is not null && Bracket(t) is not null && t.Value is double v && double.IsFinite(v)).ToList();
        if (trials.Count == 0 || trials.Select(t => (Bracket(t), Rung(t))).Distinct().Count() < 2)
        {
            return null;
        }

        var traces = new List<Trace>();
        foreach (var bracket in trials.GroupBy(t => Bracket(t)!.Value).OrderBy(g => g.Key))
        {
            var shown = Figure.Subsample(bracket.ToList(), MaxMarks);
            traces.Add(Figure.Trace(Figure.ScatterType(shown.Count), ("name", $"bracket {bracket.Key}"), ("mode", "markers"),
                ("x", shown.Select(t => $"b{bracket.Key} r{Rung(t)} ({Figure.Format(t.Budget ?? double.NaN)})").ToArray()),
                ("y", shown.Select(t => t.Value!.Value).ToArray()),
                ("text", shown.Select(t => $"trial {t.Id} ({t.State.ToString().ToLowerInvariant()})").ToArray()),
                ("marker", Figure.Object(("size", 7), ("symbol", shown.Select(t => t.State == TrialState.Pruned ? "x" : "circle").ToArray())))));
        }

        const string title = "Brackets and rungs (successive halving)";
        var order = trials.Select(t => (B: Bracket(t)!.Value, R: Rung(t)!.Value, t.Budget)).Distinct().OrderBy(k => k.B).ThenBy(k => k.R)
            .Select(k => $"b{k.B} r{k.R} ({Figure.Format(k.Budget ?? double.NaN)})").Distinct().ToArray();
        return new StudyChart("brackets", title, Figure.Chart(traces, title, ("xaxis", Figure.Axis("bracket, rung (budget)", false, ("categoryorder", "array"), ("categoryarray", order))), ("yaxis", Figure.Axis("value"))));
    }

    /// <summary>Population-based training: each member's intervals over the budget, a line from every interval to
    /// the checkpoint it continued from; exploits (a jump to another member) are drawn as red dashed links and
    /// stars, with what was copied and perturbed in the hover text.</summary>
    public static StudyChart? PbtLineage(StudySnapshot study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var members = study.Trials.Where(t => Member(t) is not null).ToDictionary(t => t.Id);
        if (members.Count == 0)
        {
            return null;
        }

        var continued = (X: new List<double?>(), Y: new List<double?>());
        var exploited = (X: new List<double?>(), Y: new List<double?>());
        foreach (var t in members.Values)
        {
            if (t.ParentTrialId is int p && members.TryGetValue(p, out var parent))
            {
                var link = Member(parent) == Member(t) ? continued : exploited;
                link.X.AddRange([parent.Budget ?? parent.Id, t.Budget ?? t.Id, null]);
                link.Y.AddRange([Member(parent), Member(t), null]);
            }
        }

        var points = members.Values.Where(t => t.Value is double v && double.IsFinite(v)).ToList();
        var exploits = members.Values.Where(t => t.ParentTrialId is int p && members.TryGetValue(p, out var parent) && Member(parent) != Member(t)).ToList();
        var traces = new List<Trace>
        {
            Figure.Trace("scatter", ("name", "continue"), ("mode", "lines"), ("x", continued.X), ("y", continued.Y), ("line", Figure.Object(("color", "#999"), ("width", 1)))),
            Figure.Trace("scatter", ("name", "exploit"), ("mode", "lines"), ("x", exploited.X), ("y", exploited.Y), ("line", Figure.Object(("color", Figure.FailedColor), ("dash", "dash"), ("width", 1)))),
            Figure.Trace("scatter", ("name", "interval"), ("mode", "markers"), ("x", points.Select(t => t.Budget ?? t.Id).ToArray()), ("y", points.Select(t => Member(t)!.Value).ToArray()),
                ("text", points.Select(t => $"trial {t.Id}: {Figure.Format(t.Value!.Value)}").ToArray()),
                ("marker", Figure.Object(("color", points.Select(t => t.Value!.Value).ToArray()), ("colorscale", "Viridis"), ("showscale", true), ("size", 8),
                    ("reversescale", study.Direction == OptimizationDirection.Minimize)))),
            Figure.Trace("scatter", ("name", "exploit + explore"), ("mode", "markers"), ("x", exploits.Select(t => t.Budget ?? t.Id).ToArray()), ("y", exploits.Select(t => Member(t)!.Value).ToArray()),
                ("text", exploits.Select(t => $"trial {t.Id}: {t.Attributes.GetValueOrDefault(NoteAttribute, "")}").ToArray()),
                ("marker", Figure.Object(("symbol", "star"), ("size", 12), ("color", Figure.FailedColor)))),
        };
        const string title = "PBT lineage: members over the budget, with exploits";
        return new StudyChart("pbt", title, Figure.Chart(traces, title, ("xaxis", Figure.Axis("budget (epochs)")), ("yaxis", Figure.Axis("member", false, ("dtick", 1)))));
    }

    private static int? Rung(TuningTrial t) => IntAttribute(t, "rung");

    private static int? Bracket(TuningTrial t) => IntAttribute(t, "bracket");

    private static int? Member(TuningTrial t) => IntAttribute(t, MemberAttribute);

    private static int? IntAttribute(TuningTrial t, string key) =>
        t.Attributes.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
}
