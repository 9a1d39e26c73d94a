using System.Diagnostics;

namespace MLNetTuning.Tests.Cli.Generation;

/// <summary>Runs <c>dotnet</c> on a generated solution, outside the test host's MSBuild environment, as a user would.</summary>
internal static class DotnetProcess
{
    /// <summary>Runs <c>dotnet ARGS</c> in <paramref name="folder"/> with <paramref name="environment"/> added; fails the test on a timeout.</summary>
    public static (int ExitCode, string Output) Run(TimeSpan timeout, string folder, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A caller's remaining budget may already be spent: then the process only gets the chance to have finished.
        if (!process.WaitForExit(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:F0} s. Output so far:\n{output.Result}\n{error.Result}");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>The target framework folder of a generated project's output (net10.0).</summary>
    public static string ModelFramework => $"net{Environment.Version.Major}.{Environment.Version.Minor}";
}
