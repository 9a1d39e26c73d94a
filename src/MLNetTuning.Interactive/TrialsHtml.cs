using System.Globalization;
using System.Net;
using System.Text;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Visualization;
using Plotly.NET;

namespace MLNetTuning.Interactive;

/// <summary>The HTML pieces the formatters and the live display are made of.</summary>
internal static class TrialsHtml
{
    /// <summary>The class of every trials table, so that a page (or a test) can find it.</summary>
    public const string TrialsTableClass = "mlnettuning-trials";

    public const string SpaceTableClass = "mlnettuning-space";

    private const string Style = "<style>table.mlnettuning-trials td,table.mlnettuning-space td{font-family:monospace}</style>";

    public static string Encode(object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");

    public static string Number(double? value) => value is double v ? v.ToString("G6", CultureInfo.InvariantCulture) : "";

    /// <summary>Best first, by the library's rule: the highest budget reached, then the loss (lower is better), then the id.</summary>
    public static List<TuningTrial> BestFirst(IEnumerable<TuningTrial> trials) =>
        trials.Where(t => t.State == TrialState.Completed)
            .OrderByDescending(t => t.Budget ?? double.PositiveInfinity)
            .ThenBy(t => t.Loss)
            .ThenBy(t => t.Id)
            .ToList();

    /// <summary>A table of trials, one row each, with a rank column when <paramref name="ranked"/>.</summary>
    public static void Table(StringBuilder html, IReadOnlyList<TuningTrial> trials, string valueName, bool ranked, int? bestId = null)
    {
        var budgets = trials.Any(t => t.Budget is not null);
        var trainers = trials.Any(t => t.Attributes.ContainsKey("trainer"));
        html.Append(Style).Append("<table class=\"").Append(TrialsTableClass).Append("\"><thead><tr>");
        if (ranked)
        {
            html.Append("<th>rank</th>");
        }

        html.Append("<th>trial</th><th>state</th><th>").Append(Encode(valueName)).Append("</th>");
        html.Append(trainers ? "<th>trainer</th>" : "").Append(budgets ? "<th>budget</th>" : "");
        html.Append("<th>seconds</th><th>parameters</th></tr></thead><tbody>");
        for (var i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            html.Append(t.Id == bestId ? "<tr style=\"font-weight:bold\">" : "<tr>");
            if (ranked)
            {
                html.Append("<td>").Append(i + 1).Append("</td>");
            }

            html.Append("<td>").Append(t.Id).Append("</td><td>").Append(t.State).Append("</td><td>").Append(Number(t.Value)).Append("</td>");
            if (trainers)
            {
                html.Append("<td>").Append(Encode(t.Attributes.GetValueOrDefault("trainer"))).Append("</td>");
            }

            if (budgets)
            {
                html.Append("<td>").Append(Number(t.Budget)).Append("</td>");
            }

            var detail = t.State == TrialState.Failed ? t.Error : t.Parameters.ToString();
            html.Append("<td>").Append(t.Duration is { } d ? d.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : "")
                .Append("</td><td>").Append(Encode(detail)).Append("</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>A table of the parameters of a space: name, kind, range or values, default.</summary>
    public static void Space(StringBuilder html, HyperparameterSpace space)
    {
        html.Append(Style).Append("<table class=\"").Append(SpaceTableClass).Append("\"><thead><tr><th>parameter</th><th>kind</th><th>values</th><th>default</th></tr></thead><tbody>");
        AppendMembers(html, space, "");
        html.Append("</tbody></table>");
    }

    private static void AppendMembers(StringBuilder html, HyperparameterSpace space, string prefix)
    {
        foreach (var (name, domain) in space)
        {
            var path = prefix + name;
            html.Append("<tr><td>").Append(Encode(path)).Append("</td><td>").Append(Encode(domain.Kind)).Append("</td><td>")
                .Append(Encode(Describe(domain))).Append("</td><td>").Append(Encode(domain is HyperparameterSpace or ConditionalChoice ? "" : domain.DefaultValue)).Append("</td></tr>");
            switch (domain)
            {
                case HyperparameterSpace nested:
                    AppendMembers(html, nested, path + ".");
                    break;
                case ConditionalChoice branches:
                    foreach (var (branch, members) in branches.Branches)
                    {
                        AppendMembers(html, members, $"{path}.{branch}.");
                    }

                    break;
            }
        }
    }

    private static string Describe(HyperparameterDomain domain) => domain switch
    {
        NumericRange r => $"[{Number(r.Min)}, {Number(r.Max)}]{(r.LogScale ? " log" : "")}",
        ChoiceDomain c => "{" + string.Join(", ", c.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + "}",
        ConditionalChoice b => "branches {" + string.Join(", ", b.Branches.Keys) + "}, default " + b.DefaultBranch,
        HyperparameterSpace s => $"{s.Count} parameters",
        _ => Convert.ToString(domain.DefaultValue, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The study's optimization history (and learning curves when there are any), as plotly charts.</summary>
    public static void Charts(StringBuilder html, StudyResult result, HyperparameterSpace? space)
    {
        if (result.Trials.Count == 0)
        {
            return;
        }

        var snapshot = StudySnapshot.From(result, space);
        foreach (var chart in new[] { StudyCharts.OptimizationHistory(snapshot), StudyCharts.IntermediateValues(snapshot) })
        {
            if (chart is not null)
            {
                html.Append("<div class=\"mlnettuning-chart\">").Append(GenericChart.toChartHTML(chart.Figure)).Append("</div>");
            }
        }
    }
}
