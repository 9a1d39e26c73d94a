using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Events;

namespace MLNetTuning.Notebooks;

/// <summary>Every notebook under notebooks/ runs, cell by cell, on the packed packages; committed notebooks carry no outputs.</summary>
[NonParallelizable]
public class NotebookTests
{
    public static IEnumerable<TestCaseData> Notebooks() =>
        Directory.GetFiles(Path.Combine(NotebookFeed.Root, "notebooks"), "*.ipynb")
            .Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(Path.GetFileName(path)));

    [TestCaseSource(nameof(Notebooks))]
    public async Task Runs(string notebook)
    {
        var clock = Stopwatch.StartNew();
        var runs = await NotebookRunner.RunAsync(Path.Combine(NotebookFeed.NotebooksFolder, notebook));
        var line = $"{notebook}: {runs.Count} code cells ran in {clock.Elapsed.TotalSeconds:F1} s";
        TestContext.Progress.WriteLine(line);
        Assert.That(runs, Is.Not.Empty, $"{notebook} has no code cell");
        Assert.Pass(line);
    }

    [Test]
    public void ThereAreNotebooks() =>
        Assert.That(Notebooks().Select(n => (string)n.Arguments[0]!), Has.Some.StartsWith("01-getting-started"));

    [TestCaseSource(nameof(Notebooks))]
    public void CarriesNoOutputs(string notebook)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookFeed.NotebooksFolder, notebook)))!;
        var cells = json["cells"]!.AsArray();
        var withOutputs = new List<string>();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i]!;
            if ((string?)cell["cell_type"] != "code")
            {
                continue;
            }

            if (cell["outputs"] is JsonArray { Count: > 0 } || cell["execution_count"] is JsonValue)
            {
                withOutputs.Add($"cell {i + 1}");
            }
        }

        Assert.That(withOutputs, Is.Empty, $"{notebook} was committed with outputs; clear them (Polyglot Notebooks: Clear All Outputs) before committing");
    }

    [Test]
    public void TheCheckSeesOutputs()
    {
        var path = Path.Combine(Path.GetTempPath(), $"with-outputs-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(path, """{"cells":[{"cell_type":"code","execution_count":1,"metadata":{},"outputs":[{"output_type":"stream","name":"stdout","text":["1"]}],"source":["1"]}],"metadata":{},"nbformat":4,"nbformat_minor":2}""");
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.That(json["cells"]![0]!["outputs"]!.AsArray(), Is.Not.Empty, "the fixture itself");
            Assert.That(() => CarriesNoOutputs(Path.GetRelativePath(NotebookFeed.NotebooksFolder, path)), Throws.InstanceOf<AssertionException>());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
