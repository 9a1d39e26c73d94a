using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;

namespace MLNetTuning.Notebooks;

/// <summary>
/// MLNetTuning.Interactive, restored from the feed into a kernel as a notebook does: its extension.dib registers the
/// formatters (nothing in the code below calls Register), a result displays as text/html holding the trials table, and
/// the live display is updated once per ended trial.
/// </summary>
[NonParallelizable]
public class InteractiveExtensionTests
{
    private static readonly TimeSpan Budget = NotebookRunner.Budget;

    [Test]
    public async Task TheExtensionLoadsItselfAndFormatsAStudyAsAnHtmlTrialsTable()
    {
        using var kernel = NotebookRunner.CreateKernel();
        await Submit(kernel, $"#i \"nuget: {NotebookFeed.Feed}\"\n#r \"nuget: MLNetTuning.Interactive, 0.1.0\"");
        var events = await Submit(kernel, """
            using Microsoft.ML;
            using MLNetTuning.Interactive;
            using MLNetTuning.Pipelines;
            using MLNetTuning.SearchSpaces;
            using MLNetTuning.Studies;

            var space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Build();
            var live = LiveTrialDisplay.Show();
            var study = new MLContext(seed: 1).Tuning().CreateStudy(space, options: new TuningStudyOptions { MetricName = "loss", Progress = live }, seed: 7);
            var result = study.Optimize(trial => Math.Abs(trial.Parameters.Get<double>("x") - 1), new StudyLimits { MaxTrials = 6 });
            result
            """);

        var returned = events.OfType<ReturnValueProduced>().Single();
        var html = returned.FormattedValues.SingleOrDefault(v => v.MimeType == "text/html")?.Value;
        Assert.That(html, Is.Not.Null, "the result was not displayed as text/html: " + string.Join(", ", returned.FormattedValues.Select(v => v.MimeType)));
        Assert.That(html, Does.Contain("<table class=\"mlnettuning-trials\">"), "the trials table is missing: the formatter did not run");
        var rows = Regex.Matches(html!, "<tr[^>]*><td>(\\d+)</td><td>Completed</td>").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(rows, Is.EquivalentTo(Enumerable.Range(0, 6)), "one completed row per trial");
        Assert.That(html, Does.Contain("6 trials: 6 completed"));

        var updates = events.OfType<DisplayedValueUpdated>().Select(e => e.FormattedValues.Single(v => v.MimeType == "text/html").Value).ToList();
        Assert.That(updates, Has.Count.EqualTo(6), "the live display is updated once per ended trial");
        Assert.That(updates[^1], Does.Contain("6 trials ended").And.Contain("<table class=\"mlnettuning-trials\">"));
    }

    [Test]
    public async Task ASpaceDisplaysItsParametersByPath()
    {
        using var kernel = NotebookRunner.CreateKernel();
        await Submit(kernel, $"#i \"nuget: {NotebookFeed.Feed}\"\n#r \"nuget: MLNetTuning.Interactive, 0.1.0\"");
        var events = await Submit(kernel, """
            using MLNetTuning.SearchSpaces;
            HyperparameterSpace.CreateBuilder()
                .Double("rate", 1e-4, 1, logScale: true)
                .Choice("loss", "hinge", "log")
                .Build()
            """);

        var html = events.OfType<ReturnValueProduced>().Single().FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.That(html, Does.Contain("<table class=\"mlnettuning-space\">"));
        Assert.That(html, Does.Contain("<td>rate</td><td>double</td><td>[0.0001, 1] log</td>"));
        Assert.That(html, Does.Contain("<td>loss</td><td>choice</td><td>{hinge, log}</td>"));
    }

    private static Task<List<KernelEvent>> Submit(Kernel kernel, string code) =>
        NotebookRunner.SubmitAsync(kernel, code, Budget, "the extension test");
}
