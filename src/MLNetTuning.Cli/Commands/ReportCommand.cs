using System.CommandLine;
using MLNetTuning.Cli.Running;
using MLNetTuning.Visualization;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>report</c>: one self-contained HTML file (plotly.js embedded) with a study's summary, leaderboard,
/// best parameters and every chart that applies.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var study = CommonOptions.Study(required: true);
        var output = new Option<string>("--out") { Description = "The HTML file to write (default report.html); its folder is created.", DefaultValueFactory = _ => "report.html" };
        var png = new Option<string?>("--png") { Description = "Also write the main charts as PNG images (ScottPlot, no browser) into this folder: history, intermediate values, importance, distribution, timeline." };
        var command = new Command("report", "Write an offline HTML report of a study: summary, leaderboard, best parameters and charts.") { storage, connection, study, output, png };
        command.SetAction((result, cancellationToken) => Program.Guard(() =>
        {
            var name = result.GetValue(study)!;
            var path = result.GetValue(output)!;
            var store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), mustExist: true);
            try
            {
                if (store.FindStudy(name) is null)
                {
                    throw new CliException($"Study '{name}' is not in {StoreLocation.Describe(store)}. Studies: {string.Join(", ", store.ListStudies().Select(s => s.Name).DefaultIfEmpty("(none)"))}.");
                }

                var snapshot = StudySnapshot.Load(store, name);
                Write(snapshot, path);
                AnsiConsole.MarkupLineInterpolated($"Wrote the report of study '{name}' ({snapshot.Trials.Count} trials, {snapshot.Completed.Count} completed) to {Path.GetFullPath(path)}.");
                if (result.GetValue(png) is { } folder)
                {
                    WriteImages(snapshot, folder);
                }

                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }

    /// <summary>Writes the report, turning an unwritable path into a <see cref="CliException"/>.</summary>
    public static void Write(StudySnapshot snapshot, string path)
    {
        try
        {
            StudyReport.Write(snapshot, path);
        }
        catch (IOException e)
        {
            throw new CliException(e.Message, ExitCodes.BadInput);
        }
    }

    /// <summary>Writes the PNG charts, naming each one left out and why; an unwritable folder is a bad input.</summary>
    private static void WriteImages(StudySnapshot snapshot, string folder)
    {
        try
        {
            var (written, leftOut) = Images.ChartImages.Write(snapshot, folder);
            AnsiConsole.MarkupLineInterpolated($"Wrote {written.Count} PNG charts to {Path.GetFullPath(folder)}: {string.Join(", ", written.Select(Path.GetFileName))}.");
            foreach (var reason in leftOut)
            {
                AnsiConsole.MarkupLineInterpolated($"  left out {reason}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write the PNG charts to '{Path.GetFullPath(folder)}': {e.Message}", ExitCodes.BadInput);
        }
    }

    /// <summary>The report <c>tune</c> writes beside summary.json; a failure to write it is a warning, not a failed run.</summary>
    public static void WriteAfterTune(StudySnapshot snapshot, string path, IAnsiConsole console)
    {
        try
        {
            Write(snapshot, path);
            console.MarkupLineInterpolated($"Wrote the report to {path}.");
        }
        catch (CliException e)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {e.Message}");
        }
    }
}
