using System.Diagnostics;
using System.Text;

namespace MLNetTuning.Benchmarks;

/// <summary>Runs the real tool (`dotnet mlnet-tune.dll ...`, built beside the benchmarks) as a child process, as a
/// user would, and collects what it printed.</summary>
internal static class MlnetTuneProcess
{
    /// <returns>The exit code and standard output and error, interleaved as they came.</returns>
    public static (int ExitCode, string Output) Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlnet-tune.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (text)
        {
            return (process.ExitCode, text.ToString());
        }
    }
}
