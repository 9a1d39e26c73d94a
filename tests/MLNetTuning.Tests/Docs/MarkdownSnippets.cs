namespace MLNetTuning.Tests.Docs;

/// <summary>How a documentation block is meant to be read: a whole program, one that is also run, or a fragment.</summary>
internal enum SnippetKind
{
    /// <summary>A complete program that must compile.</summary>
    Complete,

    /// <summary>A complete program that must compile and run on the shipped data (<c>&lt;!-- runnable --&gt;</c>).</summary>
    Runnable,

    /// <summary>A piece of code that needs context (<c>&lt;!-- fragment --&gt;</c>); counted, not compiled.</summary>
    Fragment,
}

/// <summary>One ```csharp block of README.md or docs/*.md.</summary>
internal sealed record MarkdownSnippet(string File, int Line, SnippetKind Kind, string Code)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Finds the C# blocks of the repository's documentation.</summary>
internal static class MarkdownSnippets
{
    public const string FragmentMarker = "<!-- fragment -->";
    public const string RunnableMarker = "<!-- runnable -->";

    /// <summary>The documentation files: README.md, then docs/*.md in name order, relative to the root.</summary>
    public static IReadOnlyList<string> DocumentationFiles(string root)
    {
        var files = new List<string> { "README.md" };
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            files.AddRange(Directory.GetFiles(docs, "*.md").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')));
        }

        return files;
    }

    /// <summary>Every ```csharp block of every documentation file.</summary>
    public static IReadOnlyList<MarkdownSnippet> All()
    {
        var root = RepositoryFiles.RepositoryRoot();
        return DocumentationFiles(root).SelectMany(file => Parse(file, File.ReadAllLines(Path.Combine(root, file)))).ToList();
    }

    /// <summary>The ```csharp blocks of one file; the marker is the last non-blank line before the fence.</summary>
    public static IEnumerable<MarkdownSnippet> Parse(string file, IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var fence = lines[i].Trim();
            if (fence != "```csharp" && fence != "```cs" && fence != "```c#")
            {
                continue;
            }

            var previous = i - 1;
            while (previous >= 0 && string.IsNullOrWhiteSpace(lines[previous]))
            {
                previous--;
            }

            var marker = previous >= 0 ? lines[previous].Trim() : "";
            var kind = marker == FragmentMarker ? SnippetKind.Fragment : marker == RunnableMarker ? SnippetKind.Runnable : SnippetKind.Complete;
            var end = i + 1;
            while (end < lines.Count && lines[end].Trim() != "```")
            {
                end++;
            }

            if (end == lines.Count)
            {
                throw new FormatException($"{file}:{i + 1}: the ```csharp block is never closed.");
            }

            yield return new MarkdownSnippet(file, i + 1, kind, string.Join('\n', lines.Skip(i + 1).Take(end - i - 1)));
            i = end;
        }
    }
}
