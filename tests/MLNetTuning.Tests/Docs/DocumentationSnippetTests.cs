namespace MLNetTuning.Tests.Docs;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md compiles against the projects as a user's console program
/// (with only the usings `dotnet new console` gives), and the blocks marked runnable run on the shipped data.
/// </summary>
[NonParallelizable]
public sealed class DocumentationSnippetTests
{
    private static IEnumerable<TestCaseData> CompleteSnippets() =>
        MarkdownSnippets.All().Where(s => s.Kind != SnippetKind.Fragment).Select(s => new TestCaseData(s).SetName("Compiles " + s));

    private static IEnumerable<TestCaseData> RunnableSnippets() =>
        MarkdownSnippets.All().Where(s => s.Kind == SnippetKind.Runnable).Select(s => new TestCaseData(s).SetName("Runs " + s));

    [TestCaseSource(nameof(CompleteSnippets))]
    public void ACompleteBlockShowsItsUsingsAndCompiles(object snippetObject)
    {
        var snippet = (MarkdownSnippet)snippetObject;
        Assert.That(snippet.Code.TrimStart(), Does.StartWith("using "), $"{snippet} is a complete block, so it starts with its using lines.");
        var (errors, _) = SnippetCompiler.Compile(snippet);
        Assert.That(errors, Is.Empty, $"{snippet} does not compile:\n{string.Join('\n', errors)}");
    }

    [TestCaseSource(nameof(RunnableSnippets))]
    public void ARunnableBlockRunsOnTheShippedData(object snippetObject)
    {
        var snippet = (MarkdownSnippet)snippetObject;
        var (errors, assembly) = SnippetCompiler.Compile(snippet);
        Assert.That(errors, Is.Empty, string.Join('\n', errors));

        // The block reads samples/data/loans.csv as a user in the repository's root would, and may write files: it runs in a
        // scratch folder holding a copy of the shipped sample, so the checkout stays clean.
        var scratch = Directory.CreateTempSubdirectory("mlnettuning-snippet-");
        try
        {
            var sample = Path.Combine(scratch.FullName, "samples", "data");
            Directory.CreateDirectory(sample);
            File.Copy(RepositoryFiles.Loans, Path.Combine(sample, "loans.csv"));
            Assert.DoesNotThrow(() => SnippetCompiler.Run(assembly!, scratch.FullName), $"{snippet} threw when run.");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Test]
    public void AtMostOneBlockInFiveIsAFragmentAndTheQuickStartRuns()
    {
        var snippets = MarkdownSnippets.All();
        var fragments = snippets.Count(s => s.Kind == SnippetKind.Fragment);
        var runnable = snippets.Count(s => s.Kind == SnippetKind.Runnable);
        TestContext.Out.WriteLine($"{snippets.Count} C# blocks: {snippets.Count - fragments} complete ({runnable} runnable), {fragments} fragments.");
        Assert.Multiple(() =>
        {
            Assert.That(snippets, Has.Count.GreaterThanOrEqualTo(5), "The documentation shows its API in C# blocks.");
            Assert.That(fragments * 5, Is.LessThanOrEqualTo(snippets.Count), $"{fragments} of {snippets.Count} blocks are fragments; at most 1 in 5 may be.");
            Assert.That(snippets.First(s => s.File == "README.md").Kind, Is.EqualTo(SnippetKind.Runnable), "README's first block (the quick start) is marked runnable.");
        });
    }

    [Test]
    public void TheMarkersAreRead()
    {
        string[] lines =
        [
            "text", "<!-- fragment -->", "", "```csharp", "var a = 1;", "```",
            "<!-- runnable -->", "```csharp", "using System;", "```",
            "```csharp", "using X;", "```",
        ];
        var snippets = MarkdownSnippets.Parse("x.md", lines).ToList();
        Assert.That(snippets.Select(s => (s.Line, s.Kind, s.Code)), Is.EqualTo(new[]
        {
            (4, SnippetKind.Fragment, "var a = 1;"),
            (8, SnippetKind.Runnable, "using System;"),
            (11, SnippetKind.Complete, "using X;"),
        }));
    }
}
