using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace MLNetTuning.Notebooks;

/// <summary>What one code cell produced.</summary>
/// <param name="Number">The cell's number among all the notebook's cells (markdown included), from 1, as an editor shows it.</param>
/// <param name="Events">Every event the kernel published while running it (and the extension scripts it loaded).</param>
public sealed record CellRun(int Number, IReadOnlyList<KernelEvent> Events);

/// <summary>
/// Runs a notebook's code cells in order in a fresh C# kernel with <c>#r "nuget:"</c>, as Polyglot Notebooks does: the
/// kernel's working directory is notebooks/, and a package with <c>interactive-extensions/dotnet/extension.dib</c> gets
/// that script run after the cell that restored it (the dotnet-interactive tool's convention, which the library
/// packages leave to the host). A cell that fails or writes an error stops the run with the notebook's name, the
/// cell's number and the error.
/// </summary>
public static class NotebookRunner
{
    /// <summary>The budget of one notebook: the suite's limit, not a speed assertion.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Kernel, HashSet<string>> ExtensionsLoaded = [];

    private static readonly KernelInfoCollection CSharpOnly = [new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp", languageName: "C#")];

    /// <summary>Parses an .ipynb file.</summary>
    public static InteractiveDocument Parse(string path) => Notebook.Parse(File.ReadAllText(path));

    /// <summary>Runs every code cell of <paramref name="path"/>; returns each code cell's events.</summary>
    public static async Task<IReadOnlyList<CellRun>> RunAsync(string path)
    {
        var name = Path.GetFileName(path);
        var cells = Parse(path).Elements;
        var runs = new List<CellRun>();
        using var kernel = CreateKernel();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (cell.KernelName is not ("csharp" or "C#" or null) || string.IsNullOrWhiteSpace(cell.Contents))
            {
                continue;
            }

            var started = clock.Elapsed;
            var events = await SubmitAsync(kernel, cell.Contents, Budget - started, $"{name} cell {i + 1}");
            runs.Add(new CellRun(i + 1, events));
            TestContext.Progress.WriteLine($"{name} cell {i + 1}: {(clock.Elapsed - started).TotalSeconds:F1} s");
            if (Environment.GetEnvironmentVariable("MLNETTUNING_NOTEBOOKS_ECHO") == "1")
            {
                // While writing a notebook: what its cells print, to read in the test log.
                TestContext.Progress.Write(string.Concat(events.OfType<StandardOutputValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value)));
            }
        }

        return runs;
    }

    /// <summary>A C# kernel as a notebook has it (inside a composite kernel): nuget directives, the display helpers,
    /// the notebook folder as working directory.</summary>
    public static CompositeKernel CreateKernel()
    {
        Directory.SetCurrentDirectory(NotebookFeed.NotebooksFolder);
        var csharp = new CSharpKernel()
            .UseKernelHelpers()
            .UseNugetDirective((k, references) =>
            {
                k.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            });
        return new CompositeKernel { csharp }.WithDefault("csharp");
    }

    /// <summary>Submits code, then the extension script of each package it restored; fails with <paramref name="where"/>
    /// and the error when any of them fails or writes an error.</summary>
    public static async Task<List<KernelEvent>> SubmitAsync(Kernel kernel, string code, TimeSpan timeout, string where)
    {
        var clock = Stopwatch.StartNew();
        var events = await SubmitOnceAsync(kernel, code, timeout, where);
        var loaded = ExtensionsLoaded.GetOrCreateValue(kernel);
        foreach (var root in events.OfType<PackageAdded>().Select(p => p.PackageReference.PackageRoot).ToList())
        {
            var script = Path.Combine(root, "interactive-extensions", "dotnet", "extension.dib");
            if (File.Exists(script) && loaded.Add(script))
            {
                foreach (var part in CodeSubmission.Parse(await File.ReadAllTextAsync(script), CSharpOnly).Elements.Where(e => !string.IsNullOrWhiteSpace(e.Contents)))
                {
                    events.AddRange(await SubmitOnceAsync(kernel, part.Contents, timeout - clock.Elapsed, $"{where}, {script}"));
                }
            }
        }

        return events;
    }

    private static async Task<List<KernelEvent>> SubmitOnceAsync(Kernel kernel, string code, TimeSpan timeout, string where)
    {
        if (timeout <= TimeSpan.Zero)
        {
            Assert.Fail($"{where} was not reached within the notebook budget of {Budget}.");
        }

        var submission = kernel.SendAsync(new SubmitCode(code));
        if (await Task.WhenAny(submission, Task.Delay(timeout)) != submission)
        {
            await kernel.SendAsync(new Cancel());
            Assert.Fail($"{where} was still running when the notebook budget of {Budget} ran out.");
        }

        var events = (await submission).Events.ToList();
        var errors = events.Select(Error).OfType<string>().ToList();
        if (errors.Count > 0)
        {
            Assert.Fail($"{where} failed: {string.Join("\n", errors)}");
        }

        return events;
    }

    private static string? Error(KernelEvent e) => e switch
    {
        CommandFailed failed => failed.Exception?.ToString() ?? failed.Message,
        ErrorProduced error => error.Message,
        StandardErrorValueProduced stderr => "stderr: " + string.Join("", stderr.FormattedValues.Select(v => v.Value)),
        _ => null,
    };
}

internal static class CompositeKernelExtensions
{
    public static CompositeKernel WithDefault(this CompositeKernel kernel, string name)
    {
        kernel.DefaultKernelName = name;
        return kernel;
    }
}
