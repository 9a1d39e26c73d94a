using Plotly.NET;

namespace MLNetTuning.Visualization;

/// <summary>One chart of a study: a Plotly.NET figure with an id, a title and a note (subsampling, what is left out).</summary>
/// <param name="Id">A short id, also the HTML element id in the report (<c>history</c>, <c>importance</c>).</param>
/// <param name="Title">The chart's title.</param>
/// <param name="Figure">The Plotly.NET chart.</param>
/// <param name="Note">What the chart leaves out (a subsample, inactive branches), or null.</param>
public sealed record StudyChart(string Id, string Title, GenericChart Figure, string? Note = null)
{
    /// <summary>The plotly.js figure (data and layout) as JSON.</summary>
    public string ToJson() => GenericChart.toFigureJson(Figure);
}
