using System.Text;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;
using MLNetTuning.Studies;

namespace MLNetTuning.Interactive;

/// <summary>
/// A notebook output that updates itself as trials end, like AutoML's notebook monitor: the count of ended trials,
/// the best so far and the latest trials. Give it to <c>TuningExperimentOptions.Progress</c> or
/// <c>TuningStudyOptions.Progress</c>:
/// <code>
/// var live = LiveTrialDisplay.Show();
/// var options = new TuningExperimentOptions { MaxTrials = 20, Progress = live };
/// </code>
/// </summary>
/// <remarks>Reports may come from several threads (parallel trials); the display is updated under a lock.</remarks>
public sealed class LiveTrialDisplay : IProgress<TrialProgress>
{
    private readonly object _gate = new();
    private readonly List<TuningTrial> _latest = [];
    private readonly int _rows;
    private readonly DisplayedValue _output;
    private TrialProgress? _last;

    private LiveTrialDisplay(int rows)
    {
        _rows = rows;
        Html = "<p>Waiting for the first trial to end…</p>";
        _output = new HtmlString(Html).Display(HtmlFormatter.MimeType);
    }

    /// <summary>The HTML shown now.</summary>
    public string Html { get; private set; }

    /// <summary>How many trials have ended so far.</summary>
    public int FinishedTrials
    {
        get
        {
            lock (_gate)
            {
                return _last?.FinishedTrials ?? 0;
            }
        }
    }

    /// <summary>Shows the display in the running cell's output.</summary>
    /// <param name="rows">How many of the latest trials to list.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is below 1.</exception>
    public static LiveTrialDisplay Show(int rows = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        return new LiveTrialDisplay(rows);
    }

    /// <inheritdoc/>
    public void Report(TrialProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            _last = value;
            _latest.Insert(0, value.Trial);
            if (_latest.Count > _rows)
            {
                _latest.RemoveAt(_latest.Count - 1);
            }

            var html = new StringBuilder("<div class=\"mlnettuning-live\"><p>");
            html.Append(value.FinishedTrials).Append(" trials ended. ");
            html.Append(value.BestTrial is { } best
                ? $"Best {TrialsHtml.Encode(value.MetricName)} {TrialsHtml.Number(best.Value)} by trial {best.Id}."
                : "No trial completed yet.");
            html.Append("</p><p>").Append(TrialsHtml.Encode(value.Message)).Append("</p>");
            TrialsHtml.Table(html, _latest, value.MetricName, ranked: false, value.BestTrial?.Id);
            Html = html.Append("</div>").ToString();
            _output.Update(new HtmlString(Html));
        }
    }
}
