using System.Diagnostics;
using System.Text.Json;

namespace MLNetTuning.Notebooks;

/// <summary>
/// The local package feed the notebooks take the pack from (<c>#i "nuget: ../out/notebooks/feed"</c>), packed once per
/// test run from the sources, as users get the packages. Restores go to an isolated global packages folder
/// (out/notebooks/packages) whose MLNetTuning packages are deleted first, so a repacked 0.1.0 is never served from a
/// stale cache; third-party packages come from the usual cache as a read-only fallback folder.
/// </summary>
[SetUpFixture]
public sealed class NotebookFeed
{
    /// <summary>The repository root (the folder holding MLNetTuning.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The folder feed the notebooks' <c>#i</c> names, relative to notebooks/.</summary>
    public static string Feed => Path.Combine(Root, "out", "notebooks", "feed");

    /// <summary>The notebooks folder: the kernel's working directory, as when a user opens a notebook.</summary>
    public static string NotebooksFolder => Path.Combine(Root, "notebooks");

    private static string Packages => Path.Combine(Root, "out", "notebooks", "packages");

    [OneTimeSetUp]
    public void Pack()
    {
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set && !set.StartsWith(Packages, StringComparison.Ordinal)
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (Directory.Exists(userCache) && Directory.EnumerateDirectories(userCache, "mlnettuning*").Any())
        {
            Assert.Fail($"{userCache} holds MLNetTuning packages, which would be served instead of the feed's: delete {userCache}/mlnettuning*");
        }

        // While writing a notebook, MLNETTUNING_NOTEBOOKS_REUSE_FEED=1 skips the packing when the feed is there.
        var reuse = Environment.GetEnvironmentVariable("MLNETTUNING_NOTEBOOKS_REUSE_FEED") == "1" && Directory.Exists(Feed) && Directory.EnumerateFiles(Feed, "*.nupkg").Any();
        if (!reuse)
        {
            PackInto();
        }

        // The kernel's restores run `dotnet` as child processes, which inherit these; MSBuild reads the second as a property.
        Environment.SetEnvironmentVariable("NUGET_PACKAGES", Packages);
        Environment.SetEnvironmentVariable("RestoreAdditionalProjectFallbackFolders", userCache);
    }

    private static void PackInto()
    {
        if (Directory.Exists(Feed))
        {
            Directory.Delete(Feed, recursive: true);
        }

        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Packages);
        foreach (var stale in Directory.EnumerateDirectories(Packages, "mlnettuning*"))
        {
            Directory.Delete(stale, recursive: true);
        }

        // The CLI is a dotnet tool, not a package a notebook references. One pack of a solution filter restores and
        // builds the libraries in one process, several times faster than a pack per project.
        var projects = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith("MLNetTuning.Cli.csproj", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => Path.GetRelativePath(Root, p).Replace('/', '\\'));
        var filter = Path.Combine(Root, "out", "notebooks", "libraries.slnf");
        var solution = Path.GetRelativePath(Path.GetDirectoryName(filter)!, Path.Combine(Root, "MLNetTuning.sln")).Replace('/', '\\');
        File.WriteAllText(filter, JsonSerializer.Serialize(new { solution = new { path = solution, projects } }));
        Run("dotnet", $"pack \"{filter}\" -c Release -o \"{Feed}\" -p:IncludeSymbols=false -nodeReuse:false", TimeSpan.FromMinutes(15));
    }

    private static void Run(string file, string arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish within {timeout}.");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"{file} {arguments} failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLNetTuning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No MLNetTuning.sln above {AppContext.BaseDirectory}.");
    }
}
