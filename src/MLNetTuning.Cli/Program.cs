using System.CommandLine;
using MLNetTuning.Cli.Commands;
using MLNetTuning.Cli.Running;
using MLNetTuning.Storage;

namespace MLNetTuning.Cli;

/// <summary>mlnet-tune: tune, worker, studies, trials.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes have no window: tables get room instead of wrapping at 80 columns.
            Spectre.Console.AnsiConsole.Profile.Width = 160;
        }

        var root = new RootCommand("mlnet-tune: tune ML.NET models on a CSV/TSV file; studies are kept in SQLite (default) or PostgreSQL, survive crashes and can be shared by many workers.")
        {
            TuneCommand.Create(),
            WorkerCommand.Create(),
            StudiesCommand.Create(),
            TrialsCommand.Create(),
            ReportCommand.Create(),
            GenerateCommand.Create(),
            PortfolioCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run 'mlnet-tune --help' for usage.");
            return ExitCodes.BadInput;
        }

        // No ProcessTerminationTimeout: System.CommandLine would force the exit 2 s after Ctrl+C, cutting off the summary.
        using var signals = new TerminationSignals();
        return parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token).GetAwaiter().GetResult();
    }

    /// <summary>Runs a command body, turning known failures into a message on stderr and an exit code.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (TrialStoreException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.StoreError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled; every finished trial is stored. Run the same command again to resume.");
            return ExitCodes.Cancelled;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {CliException.MessageOf(e)}");
            return ExitCodes.BadInput;
        }
    }
}
