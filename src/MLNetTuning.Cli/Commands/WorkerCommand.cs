using System.CommandLine;
using MLNetTuning.Cli.Running;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>worker</c>: join a study created by <c>tune</c> and run its trials until a budget ends.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var study = CommonOptions.Study(required: true);
        var trials = new Option<int?>("--trials") { Description = "Most trials this worker runs (the study's own budget applies too)." };
        var time = CommonOptions.Seconds("--time", "Time budget of this worker in seconds.");
        var parallel = new Option<int>("--parallel") { Description = "Trials this worker runs at once. Default 1.", DefaultValueFactory = _ => 1 };
        var heartbeat = CommonOptions.Seconds("--heartbeat-timeout", "Seconds without a heartbeat after which a running trial is marked failed. Default 60.");
        var requeue = new Option<bool>("--requeue") { Description = "Run the parameters of trials this worker marks failed (dead workers') again under new ids." };
        var workerId = new Option<string?>("--worker-id") { Description = "This worker's id (default host/pid/start/n)." };
        var data = new Option<string?>("--data") { Description = "The data file, when it is elsewhere on this machine than where the study was created." };
        var output = new Option<string?>("--output") { Description = "Also save the study's best model and a summary here." };

        var command = new Command("worker", "Join a study in a store (created by 'tune') and run trials until a budget ends.")
        {
            storage, connection, study, trials, time, parallel, heartbeat, requeue, workerId, data, output,
        };
        command.SetAction((result, cancellationToken) => Program.Guard(async () =>
        {
            var name = result.GetValue(study)!;
            var maxTrials = CommonOptions.AtLeast(result.GetValue(trials), 1, "--trials");
            var timeBudget = CommonOptions.PositiveSeconds(result.GetValue(time), "--time");
            var parallelTrials = CommonOptions.AtLeast(result.GetValue(parallel), 1, "--parallel")!.Value;
            var heartbeatTimeout = CommonOptions.PositiveSeconds(result.GetValue(heartbeat), "--heartbeat-timeout") ?? TimeSpan.FromSeconds(60);
            var store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), mustExist: true);
            try
            {
                var stored = store.FindStudy(name)
                    ?? throw new CliException($"Study '{name}' is not in {StoreLocation.Describe(store)}. Studies: {string.Join(", ", store.ListStudies().Select(s => s.Name).DefaultIfEmpty("(none)"))}. Create it with 'mlnet-tune tune ... --create-only'.");
                if (!stored.Attributes.TryGetValue(TuneSettings.AttributeKey, out var json))
                {
                    throw new CliException($"Study '{name}' was not created by 'mlnet-tune tune': it has no settings for workers.");
                }

                var settings = TuneSettings.FromJson(json);
                if (result.GetValue(data) is { } dataPath)
                {
                    settings = settings with { DataPath = Path.GetFullPath(dataPath) };
                }

                RequireSameData(settings, name);
                if (string.Equals(settings.Tuner, "pbt", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException($"Study '{name}' is tuned by PBT, which a worker cannot join: its members continue from checkpoints kept in the process that trains them.");
                }

                if (result.GetValue(output) is { } outputFolder)
                {
                    OutputFiles.EnsureWritable(outputFolder, "--output");
                }

                return await StudyRunner.RunAsync(settings, () => store, new RunOptions
                {
                    StudyName = name,
                    MaxTrials = maxTrials,
                    TimeBudget = timeBudget,
                    Parallel = parallelTrials,
                    HeartbeatTimeout = heartbeatTimeout,
                    Requeue = result.GetValue(requeue),
                    WorkerId = result.GetValue(workerId),
                    OutputFolder = result.GetValue(output),
                }, AnsiConsole.Console, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }

    /// <summary>A worker on another file than the study's would mix trials measured on different data.</summary>
    private static void RequireSameData(TuneSettings settings, string study)
    {
        if (settings.DataHash is null || !File.Exists(settings.DataPath))
        {
            return;
        }

        var (size, hash) = TuneSettings.Fingerprint(settings.DataPath);
        if (size != settings.DataSize || hash != settings.DataHash)
        {
            throw new CliException($"The data file '{settings.DataPath}' is not the one study '{study}' was made with (size {size} bytes, SHA-256 {hash[..12]}...; stored: {settings.DataSize} bytes, {settings.DataHash[..Math.Min(12, settings.DataHash.Length)]}...). Give --data the study's file, or start a new study.", ExitCodes.StoreError);
        }
    }
}
