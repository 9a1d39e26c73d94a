using System.CommandLine;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Cli.Running;
using MLNetTuning.Portfolios;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>portfolio build</c>: per trainer, a few configurations that together scored well across the stored
/// studies of one task (see <see cref="PortfolioBuilder"/>), written for <c>tune --portfolio</c>.</summary>
internal static class PortfolioCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var task = new Option<string>("--task") { Description = "binary, multiclass or regression: the studies of this task are read.", Required = true };
        var output = new Option<string>("--out") { Description = "The portfolio file to write (JSON).", Required = true };
        var perTrainer = new Option<int>("--per-trainer") { Description = "Configurations per trainer. Default 3.", DefaultValueFactory = _ => 3 };
        var build = new Command("build", "Build a portfolio from the studies 'tune' stored for a task.") { storage, connection, task, output, perTrainer };
        build.SetAction((result, cancellationToken) => Program.Guard(() =>
        {
            var taskName = TaskNames.Name(TaskNames.Parse(result.GetValue(task)!));
            var size = CommonOptions.AtLeast(result.GetValue(perTrainer), 1, "--per-trainer")!.Value;
            var store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), readOnly: true);
            try
            {
                var all = store.ListStudies();
                var studies = all.Where(s => s.Attributes.TryGetValue(TuneSettings.AttributeKey, out var json) && TuneSettings.FromJson(json).Task == taskName)
                    .Select(s => new PortfolioSourceStudy(s.Name, s.Space, store.Load(s.Name)))
                    .ToList();
                if (studies.Count == 0)
                {
                    throw new CliException($"No study of the task '{taskName}' made by 'tune' is in {StoreLocation.Describe(store)}. Studies there: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(s => s.Name)))}.");
                }

                IReadOnlyList<PortfolioEntry> entries;
                try
                {
                    entries = PortfolioBuilder.Build(studies, size);
                }
                catch (ArgumentException e)
                {
                    throw new CliException(CliException.MessageOf(e));
                }

                PortfolioFile.Save(result.GetValue(output)!, taskName, entries);
                AnsiConsole.MarkupLineInterpolated($"Wrote {entries.Count} configuration(s) of {entries.Select(e => e.Trainer).Distinct().Count()} trainer(s), from {studies.Count} {taskName} studies, to {result.GetValue(output)}.");
                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return new Command("portfolio", "Portfolios of configurations learned from stored studies.") { build };
    }
}
