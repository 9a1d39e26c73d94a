using System.Globalization;
using Plotly.NET;

namespace MLNetTuning.Visualization;

/// <summary>Builds plotly.js traces and layouts through Plotly.NET's dynamic objects, property by property as
/// plotly.js names them, for the attributes the typed chart functions do not reach (parcoords dimensions, grids).
/// Charts are made without Plotly.NET's default template: serialising it costs about a second per chart.</summary>
internal static class Figure
{
    public const string CompletedColor = "#1f77b4";
    public const string PrunedColor = "#ff7f0e";
    public const string FailedColor = "#d62728";
    public const string RunningColor = "#7f7f7f";
    public const string BestColor = "#2ca02c";

    /// <summary>Above this many points a scatter is drawn with WebGL.</summary>
    public const int WebGlThreshold = 1000;

    public static Trace Trace(string type, params (string Name, object? Value)[] properties)
    {
        var trace = new Trace(type);
        Set(trace, properties);
        return trace;
    }

    public static Dictionary<string, object?> Object(params (string Name, object? Value)[] properties) =>
        properties.Where(p => p.Value is not null).ToDictionary(p => p.Name, p => p.Value);

    public static GenericChart Chart(IEnumerable<Trace> traces, string title, params (string Name, object? Value)[] layoutProperties) =>
        WithLayout(GenericChart.ofTraceObjects(false, traces), title, layoutProperties);

    public static GenericChart WithLayout(GenericChart chart, string title, params (string Name, object? Value)[] layoutProperties)
    {
        var layout = new Layout();
        Set(layout, [("title", Object(("text", title))), ("width", 960), ("height", 480), ("hovermode", "closest"), .. layoutProperties]);
        return GenericChart.addLayout(layout, chart);
    }

    public static Dictionary<string, object?> Axis(string title, bool log = false, params (string Name, object? Value)[] more) =>
        Object([("title", Object(("text", title))), ("type", log ? "log" : null), .. more]);

    public static string ScatterType(int points) => points > WebGlThreshold ? "scattergl" : "scatter";

    public static string StateColor(Studies.TrialState state) => state switch
    {
        Studies.TrialState.Completed => CompletedColor,
        Studies.TrialState.Pruned => PrunedColor,
        Studies.TrialState.Failed => FailedColor,
        _ => RunningColor,
    };

    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>At most <paramref name="max"/> items, evenly spaced, always keeping those <paramref name="keep"/> selects.</summary>
    public static List<T> Subsample<T>(IReadOnlyList<T> items, int max, Func<T, bool>? keep = null)
    {
        if (items.Count <= max)
        {
            return items.ToList();
        }

        var kept = keep is null ? [] : items.Where(keep).Take(max / 2).ToHashSet();
        var rest = items.Where(i => !kept.Contains(i)).ToList();
        var wanted = max - kept.Count;
        var chosen = new HashSet<T>(kept);
        for (var k = 0; k < wanted; k++)
        {
            chosen.Add(rest[(int)((long)k * rest.Count / wanted)]);
        }

        return items.Where(chosen.Contains).ToList();
    }

    private static void Set(DynamicObj.DynamicObj target, IEnumerable<(string Name, object? Value)> properties)
    {
        foreach (var (name, value) in properties)
        {
            if (value is not null)
            {
                target.SetProperty(name, value);
            }
        }
    }
}
