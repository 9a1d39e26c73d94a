using System.Globalization;
using System.Net;
using System.Text;

namespace MLNetTuning.Visualization;

/// <summary>The report's test-set section: the confirmed trials' test metrics with their intervals, the
/// validation metric beside the test metric of the same model, and the optimism; or why there is none.</summary>
internal static class StudyReportTestSection
{
    public static void Append(StringBuilder html, StudySnapshot study)
    {
        html.Append("<h2>Test set</h2>\n");
        if (study.TestEvaluation is not { } test)
        {
            html.Append("<p id=\"no-test-evaluation\" class=\"note\">No test evaluation: the study held no test rows back, so the best value above is the ")
                .Append("validation score that chose the model, and it flatters that model (the more trials, the more). Hold rows back with ")
                .Append("<code>SetTestFraction</code> or <code>SetTestData</code> (CLI: <code>--test-fraction</code>, <code>--test-data</code>) ")
                .Append("to have the chosen models scored once on rows no trial saw.</p>\n");
            return;
        }

        var best = test.Best;
        var metric = test.MetricName ?? "metric";
        var level = Format($"{test.ConfidenceLevel:P0}");
        html.Append("<div id=\"test-evaluation\">\n<p>Test ").Append(Encode(metric)).Append(" of the chosen model: <strong>").Append(Metric(best.Test)).Append("</strong> (")
            .Append(level).Append(" interval ").Append(Metric(best.Low)).Append(" to ").Append(Metric(best.High)).Append(", ")
            .Append(Format($"{test.Rows:N0}")).Append(" test rows, ").Append(Encode(test.Interval)).Append(", ").Append(test.Resamples).Append(" resamples), ")
            .Append(test.RefitOnTrainAndValidation ? "refitted on train + validation" : "fitted on the training rows").Append(".</p>\n");
        html.Append("<p id=\"test-confirmation\">Validation ").Append(Metric(best.Validation)).Append(" against test ").Append(Metric(best.TrainOnlyTest))
            .Append(" of the same model fitted on the training rows: <strong>optimism ").Append(Format($"{best.Optimism:+0.0000;-0.0000}"))
            .Append("</strong> (how much the validation score flatters the choice; selection bias plus test noise).</p>\n");
        if (test.StudyTrials is int confirmedAt && confirmedAt < study.Trials.Count)
        {
            html.Append("<p class=\"note\">Confirmed after ").Append(confirmedAt).Append(" trials; the study has ").Append(study.Trials.Count)
                .Append(" now, so its best trial may since have changed.</p>\n");
        }

        html.Append("<table id=\"test-trials\"><tr><th>trial</th><th>trainer</th><th>validation</th><th>test, same model</th><th>optimism</th><th>test")
            .Append(test.RefitOnTrainAndValidation ? ", refitted" : "").Append("</th><th>").Append(level).Append(" interval</th></tr>");
        foreach (var t in test.Trials)
        {
            html.Append("<tr><td>").Append(t.TrialId).Append("</td><td>").Append(Encode(t.Trainer ?? "")).Append("</td><td>").Append(Metric(t.Validation))
                .Append("</td><td>").Append(Metric(t.TrainOnlyTest)).Append("</td><td>").Append(Format($"{t.Optimism:+0.0000;-0.0000}"))
                .Append("</td><td>").Append(Metric(t.Test)).Append("</td><td>").Append(Metric(t.Low)).Append(" to ").Append(Metric(t.High)).Append("</td></tr>");
        }

        html.Append("</table>\n<p class=\"note\">The model choice stays with the validation score; the test rows only confirm it. ")
            .Append("The optimism compares two scores of one model, so more training data never enters it.</p>\n</div>\n");
    }

    private static string Metric(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
