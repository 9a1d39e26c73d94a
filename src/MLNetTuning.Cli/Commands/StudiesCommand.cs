using System.CommandLine;
using System.Globalization;
using MLNetTuning.Cli.Running;
using MLNetTuning.Studies;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>studies</c>: the studies a store holds, with their trial counts; its subcommands are in <see cref="StudyHousekeepingCommands"/>.</summary>
internal static class StudiesCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var command = new Command("studies", "List the studies a store holds; delete, rename, copy, export or import one.") { storage, connection };
        foreach (var housekeeping in StudyHousekeepingCommands.Create())
        {
            command.Subcommands.Add(housekeeping);
        }

        command.SetAction((result, cancellationToken) => Program.Guard(() =>
        {
            var store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), readOnly: true);
            try
            {
                var studies = store.ListStudies();
                var table = new Table().Title(Markup.Escape(StoreLocation.Describe(store))).AddColumns("study", "direction", "trials", "completed", "failed", "running", "created (UTC)");
                foreach (var s in studies)
                {
                    table.AddRow(
                        Markup.Escape(s.Name),
                        s.Direction.ToString().ToLowerInvariant(),
                        s.TrialCount.ToString(CultureInfo.InvariantCulture),
                        s.TrialCounts.GetValueOrDefault(TrialState.Completed).ToString(CultureInfo.InvariantCulture),
                        s.TrialCounts.GetValueOrDefault(TrialState.Failed).ToString(CultureInfo.InvariantCulture),
                        s.TrialCounts.GetValueOrDefault(TrialState.Running).ToString(CultureInfo.InvariantCulture),
                        s.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                }

                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"{studies.Count} studies.");
                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }
}
