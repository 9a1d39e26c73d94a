using System.CommandLine;
using MLNetTuning.Cli.Running;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>studies delete|rename|copy|export|import</c>: move a study between stores (SQLite, PostgreSQL) and JSON
/// lines files, exactly; every trial, its state, times, worker and heartbeat, and the study's space and attributes.</summary>
internal static class StudyHousekeepingCommands
{
    public static IEnumerable<Command> Create() => [Delete(), Rename(), Copy(), Export(), Import()];

    private static Command Delete()
    {
        var (storage, connection, study) = (CommonOptions.Storage(), CommonOptions.Connection(), CommonOptions.Study(required: true));
        var yes = new Option<bool>("--yes") { Description = "Delete without asking: required, since the study's trials cannot be brought back (export it first to keep a copy)." };
        var command = new Command("delete", "Delete a study with its trials and attributes.") { storage, connection, study, yes };
        command.SetAction((result, _) => Program.Guard(() =>
        {
            var name = result.GetValue(study)!;
            using var store = new OpenedStore(result.GetValue(storage), result.GetValue(connection), mustExist: true);
            var stored = store.Require(name);
            if (!result.GetValue(yes))
            {
                throw new CliException($"This deletes study '{name}' ({stored.TrialCount} trials) from {store}; add --yes to confirm (or 'studies export' it first).");
            }

            store.Store.DeleteStudy(name);
            AnsiConsole.MarkupLineInterpolated($"Deleted study '{name}' ({stored.TrialCount} trials) from {store}.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Rename()
    {
        var (storage, connection, study) = (CommonOptions.Storage(), CommonOptions.Connection(), CommonOptions.Study(required: true));
        var to = new Option<string>("--to") { Description = "The new name.", Required = true };
        var command = new Command("rename", "Give a study another name (its trials and attributes stay). Not while workers run it.") { storage, connection, study, to };
        command.SetAction((result, _) => Program.Guard(() =>
        {
            var (name, newName) = (result.GetValue(study)!, StudyNames.Validate(result.GetValue(to)));
            using var store = new OpenedStore(result.GetValue(storage), result.GetValue(connection), mustExist: true);
            store.Require(name);
            store.RequireFree(newName);
            Guarded(() => store.Store.RenameStudy(name, newName));
            AnsiConsole.MarkupLineInterpolated($"Renamed study '{name}' to '{newName}' in {store}.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Copy()
    {
        var (storage, connection, study) = (CommonOptions.Storage(), CommonOptions.Connection(), CommonOptions.Study(required: true));
        var toStorage = new Option<string?>("--to-storage") { Description = "The target store, as --storage (default: the same store, then --as is required)." };
        var toConnection = new Option<string?>("--to-connection") { Description = "The target's PostgreSQL connection string, as --connection." };
        var asName = new Option<string?>("--as") { Description = "The copy's name (default: the study's name)." };
        var command = new Command("copy", "Copy a study, exactly, into the same or another store (SQLite or PostgreSQL).") { storage, connection, study, toStorage, toConnection, asName };
        command.SetAction((result, _) => Program.Guard(() =>
        {
            var name = result.GetValue(study)!;
            var targetName = StudyNames.Validate(result.GetValue(asName) ?? name);
            var sameStore = result.GetValue(toStorage) is null && result.GetValue(toConnection) is null;
            if (sameStore && targetName == name)
            {
                throw new CliException($"Copying study '{name}' into its own store needs another name: give --as NAME, or --to-storage for another store.");
            }

            using var source = new OpenedStore(result.GetValue(storage), result.GetValue(connection), mustExist: true, readOnly: !sameStore);
            var stored = source.Require(name);
            var trials = source.Store.Load(name);
            using var target = sameStore ? null : new OpenedStore(result.GetValue(toStorage), result.GetValue(toConnection), mustExist: false);
            var into = target ?? source;
            into.RequireFree(targetName);
            Guarded(() => into.Store.ImportStudy(stored with { Name = targetName }, trials));
            AnsiConsole.MarkupLineInterpolated($"Copied study '{name}' ({trials.Count} trials) from {source} to '{targetName}' in {into}.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Export()
    {
        var (storage, connection, study) = (CommonOptions.Storage(), CommonOptions.Connection(), CommonOptions.Study(required: true));
        var output = new Option<string>("--out") { Description = "The JSON lines file to write (e.g. study.jsonl); its folder is created.", Required = true };
        var command = new Command("export", "Write a study as JSON lines: a header, then one line per trial; 'studies import' reads it back exactly.") { storage, connection, study, output };
        command.SetAction((result, _) => Program.Guard(() =>
        {
            var name = result.GetValue(study)!;
            var path = Path.GetFullPath(result.GetValue(output)!);
            using var store = new OpenedStore(result.GetValue(storage), result.GetValue(connection), mustExist: true, readOnly: true);
            var stored = store.Require(name);
            var trials = store.Store.Load(name);
            WriteAtomically(path, writer => StudyJsonLines.Write(stored, trials, writer));
            AnsiConsole.MarkupLineInterpolated($"Exported study '{name}' ({trials.Count} trials) from {store} to {path}.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Import()
    {
        var (storage, connection) = (CommonOptions.Storage(), CommonOptions.Connection());
        var file = new Option<string>("--file") { Description = "The JSON lines file 'studies export' wrote.", Required = true };
        var asName = new Option<string?>("--as") { Description = "The imported study's name (default: the name in the file)." };
        var command = new Command("import", "Read a study from JSON lines into a store (SQLite or PostgreSQL), exactly as it was exported.") { storage, connection, file, asName };
        command.SetAction((result, _) => Program.Guard(() =>
        {
            var path = Path.GetFullPath(result.GetValue(file)!);
            var rename = result.GetValue(asName) is { } given ? StudyNames.Validate(given) : null;
            var (stored, trials) = ReadExport(path);
            var name = rename ?? stored.Name;
            using var store = new OpenedStore(result.GetValue(storage), result.GetValue(connection), mustExist: false);
            store.RequireFree(name);
            Guarded(() => store.Store.ImportStudy(stored with { Name = name }, trials));
            AnsiConsole.MarkupLineInterpolated($"Imported study '{name}' ({trials.Count} trials) from {path} into {store}.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static (StoredStudy Study, IReadOnlyList<TuningTrial> Trials) ReadExport(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"No study export at '{path}'.");
        }

        try
        {
            using var reader = new StreamReader(path);
            return StudyJsonLines.Read(reader);
        }
        catch (FormatException e)
        {
            throw new CliException($"'{path}': {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Writes through a temporary file in the same folder, so that a failure never leaves half an export.</summary>
    private static void WriteAtomically(string path, Action<TextWriter> write)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var writer = new StreamWriter(temporary, append: false, new System.Text.UTF8Encoding(false)))
            {
                write(writer);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new CliException($"Cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>A store that lost a race (another process created the name, deleted the study) reports it as a bad input.</summary>
    private static void Guarded(Action action)
    {
        try
        {
            action();
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>A store opened by a command, closed with it, described without passwords.</summary>
    private sealed class OpenedStore(string? storage, string? connection, bool mustExist, bool readOnly = false) : IDisposable
    {
        public ITrialStore Store { get; } = StoreLocation.Open(storage, connection, CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), mustExist, readOnly);

        public StoredStudy Require(string name) =>
            Store.FindStudy(name) ?? throw new CliException($"Study '{name}' is not in {this}. Studies: {string.Join(", ", Store.ListStudies().Select(s => s.Name).DefaultIfEmpty("(none)"))}.");

        public void RequireFree(string name)
        {
            if (Store.FindStudy(name) is not null)
            {
                throw new CliException($"{this} already has a study '{name}'; choose another name (or rename or delete the existing study first).");
            }
        }

        public override string ToString() => StoreLocation.Describe(Store);

        public void Dispose() => (Store as IDisposable)?.Dispose();
    }
}
