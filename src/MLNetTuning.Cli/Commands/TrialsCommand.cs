using System.CommandLine;
using System.Globalization;
using MLNetTuning.Cli.Running;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>trials</c>: the trials of one study, best first or by id.</summary>
internal static class TrialsCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var study = CommonOptions.Study(required: true);
        var state = new Option<string?>("--state") { Description = "Only trials in this state: running, completed, pruned or failed." };
        var top = new Option<int?>("--top") { Description = "Only the best N completed trials (best first)." };
        var format = new Option<string>("--format") { Description = "table (default), csv (one row per trial, parameters as columns) or json (every stored field).", DefaultValueFactory = _ => "table" };
        var command = new Command("trials", "List the trials of a study.") { storage, connection, study, state, top, format };
        command.SetAction((result, cancellationToken) => Program.Guard(() =>
        {
            var name = result.GetValue(study)!;
            TrialState? only = null;
            if (result.GetValue(state) is { } stateName)
            {
                try
                {
                    only = TrialRecord.ParseState(stateName.ToLowerInvariant());
                }
                catch (FormatException)
                {
                    throw new CliException($"Unknown trial state '{stateName}'. Known: running, completed, pruned, failed.");
                }
            }

            var topCount = CommonOptions.AtLeast(result.GetValue(top), 1, "--top");
            var formatName = result.GetValue(format)!.ToLowerInvariant();
            if (formatName is not ("table" or "csv" or "json"))
            {
                throw new CliException($"Unknown --format '{result.GetValue(format)}'. Known: table, csv, json.");
            }

            var store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), readOnly: true);
            try
            {
                var stored = store.FindStudy(name)
                    ?? throw new CliException($"Study '{name}' is not in {StoreLocation.Describe(store)}. Studies: {string.Join(", ", store.ListStudies().Select(s => s.Name).DefaultIfEmpty("(none)"))}.");
                IEnumerable<TuningTrial> trials = store.Load(name);
                if (topCount is int n)
                {
                    trials = trials.Where(t => t.State == TrialState.Completed).OrderBy(t => t.Loss).ThenBy(t => t.Id).Take(n);
                }
                else if (only is { } s)
                {
                    trials = trials.Where(t => t.State == s);
                }

                var list = trials.ToList();
                if (formatName != "table")
                {
                    TrialsOutput.Write(list, formatName, Console.Out);
                    return Task.FromResult(ExitCodes.Success);
                }

                var table = new Table().Title(Markup.Escape($"{name} ({stored.Direction.ToString().ToLowerInvariant()})")).AddColumns("trial", "state", "value", "trainer", "seconds", "worker", "error");
                foreach (var t in list)
                {
                    table.AddRow(
                        t.Id.ToString(CultureInfo.InvariantCulture),
                        t.State.ToString().ToLowerInvariant(),
                        t.Value?.ToString("F4", CultureInfo.InvariantCulture) ?? "",
                        Markup.Escape(t.Attributes.GetValueOrDefault("trainer", "")),
                        t.Duration?.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) ?? "",
                        Markup.Escape(t.WorkerId ?? ""),
                        Markup.Escape(t.Error is { Length: > 60 } e ? e[..57] + "..." : t.Error ?? ""));
                }

                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"{list.Count} trials.");
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
