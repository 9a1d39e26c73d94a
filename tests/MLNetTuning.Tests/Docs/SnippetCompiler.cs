using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MLNetTuning.Tests.Docs;

/// <summary>Compiles a documentation block as a console program against the projects' built assemblies, as a user's project would.</summary>
internal static class SnippetCompiler
{
    // The global usings of `dotnet new console` (ImplicitUsings), which a user's program gets without writing them.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="snippet"/>; the errors (nullable warnings included, as the projects treat them) or the assembly's bytes.</summary>
    public static (IReadOnlyList<string> Errors, byte[]? Assembly) Compile(MarkdownSnippet snippet)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Snippet_" + Path.GetFileNameWithoutExtension(snippet.File).Replace('-', '_') + "_" + snippet.Line,
            [CSharpSyntaxTree.ParseText(snippet.Code, parse, path: snippet.ToString()), CSharpSyntaxTree.ParseText(ImplicitUsings, parse)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        var errors = emitted.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("CS86", StringComparison.Ordinal)))
            .Select(d => d.ToString())
            .ToList();
        return (errors, emitted.Success && errors.Count == 0 ? stream.ToArray() : null);
    }

    /// <summary>Runs a compiled program's entry point in <paramref name="workingDirectory"/> and waits for it.</summary>
    public static void Run(byte[] assembly, string workingDirectory)
    {
        var context = new AssemblyLoadContext("snippet", isCollectible: true);
        var previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = workingDirectory;
            var entry = context.LoadFromStream(new MemoryStream(assembly)).EntryPoint
                ?? throw new InvalidOperationException("The snippet has no entry point.");
            object?[] arguments = entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()];
            try
            {
                switch (entry.Invoke(null, arguments))
                {
                    case Task task:
                        task.GetAwaiter().GetResult();
                        break;
                }
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            context.Unload();
        }
    }

    // The runtime's assemblies and every managed assembly the test project copied beside itself (the projects and their packages).
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in platform.Concat(beside))
        {
            if (IsManaged(path))
            {
                byName.TryAdd(Path.GetFileName(path), path);
            }
        }

        return byName.Values.Where(p => !Path.GetFileName(p).StartsWith("MLNetTuning.Tests", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var reader = new PEReader(File.OpenRead(path));
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
