using System.CommandLine;
using System.Text.RegularExpressions;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Cli.Running;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>tune</c>: infer the columns of a file, tune a choice of trainers, save the best model and a summary.</summary>
internal static partial class TuneCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "CSV or TSV file with a header row (required unless --config gives it)." };
        var label = new Option<string?>("--label") { Description = "The label column (required unless --config gives it)." };
        var task = new Option<string?>("--task") { Description = "binary, multiclass or regression (required unless --config gives it)." };
        var config = new Option<string?>("--config") { Description = "A .mltune file (written by 'generate'): run a new study with its settings; options given here override them." };
        var tuning = new Microsoft.ML.MLContext(0).Tuning();
        var trainers = new Option<string[]>("--trainers") { Description = $"Trainer presets, comma-separated. Default: the task's classical trainers, and the networks ({string.Join(", ", TrainerNames.Networks(tuning, TuningTask.BinaryClassification))}) when every feature is numeric and there are at most {TrainerNames.NetworkDefaultRowLimit} rows, without a trainer the label does not suit (LbfgsPoissonRegression on a label below 0; a note says so); with --tuner pbt, the trainers that continue from checkpoints. {string.Join(" ", TaskNames.All.Select(t => $"{t}: {string.Join(", ", TrainerNames.Known(tuning, TaskNames.Parse(t)))}."))}", AllowMultipleArgumentsPerToken = true };
        var tuners = tuning.Tuners;
        var tuner = new Option<string>("--tuner") { Description = $"Tuner: {string.Join(", ", TunerNames.Known(tuners))}. Default auto: picks from the space. Multi-fidelity ({string.Join(", ", TunerNames.MultiFidelity(tuners))}) and pbt take --min-budget, --max-budget.", DefaultValueFactory = _ => "auto" };
        var tunerOptions = new Option<string[]>("--tuner-option") { Description = "Set a property of the tuner's options: NAME=VALUE (repeatable, comma-separated), e.g. --tuner gp --tuner-option CostAware=false. An unknown name lists the tuner's options.", AllowMultipleArgumentsPerToken = true };
        var minBudget = new Option<double?>("--min-budget") { Description = "A multi-fidelity tuner's smallest budget (default 1), stretched over each trainer's budget unit; pbt: epochs (or iterations) between perturbations (default 2)." };
        var maxBudget = new Option<double?>("--max-budget") { Description = "A multi-fidelity tuner's full budget (default 81); pbt: epochs (or iterations) each member trains (default 20)." };
        var budgetUnit = new Option<string?>("--budget-unit") { Description = "Multi-fidelity: the unit trainers count the budget in, comma-separated [TRAINER=]UNIT[:MIN:MAX] (e.g. FastTree=trees:10:270,NeuralNetwork=epochs:2:54); a unit without a trainer applies to all others. Units: trees, iterations, epochs, data-fraction. Default: each trainer's own unit and range." };
        var metric = new Option<string?>("--metric") { Description = "Metric (default: AreaUnderRocCurve, MicroAccuracy or RSquared)." };
        var trials = new Option<int?>("--trials") { Description = "Trial budget of the whole study (all runs and workers). Default 30.", DefaultValueFactory = _ => 30 };
        var time = CommonOptions.Seconds("--time", "Time budget of this run in seconds.");
        var parallel = new Option<int>("--parallel") { Description = "Trials run at once. Default 1 (reproducible with the seed).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the tuner and every trial. Default 1.", DefaultValueFactory = _ => 1 };
        var validation = new Option<double>("--validation-fraction") { Description = "Share of rows held out to measure trials. Default 0.2.", DefaultValueFactory = _ => 0.2 };
        var validationData = new Option<string?>("--validation-data") { Description = "CSV/TSV file of validation rows (same columns) to measure trials on, instead of --validation-fraction." };
        var crossValidation = new Option<int?>("--cv") { Description = "Measure trials by K-fold cross-validation (K >= 2) instead of validation rows." };
        var testData = new Option<string?>("--test-data") { Description = "CSV/TSV file of test rows (same columns), held back from the study and scored once after it." };
        var testFraction = new Option<double?>("--test-fraction") { Description = "Share of the rows held back as test rows, in (0, 0.5]; 0 for none. Default 0.2 when the data has 1,000 rows or more, else none." };
        var groupColumn = new Option<string?>("--group-column") { Description = "Rows sharing this column's value stay on one side of the test and validation splits; not used as a feature." };
        var orderColumn = new Option<string?>("--order-column") { Description = "A numeric time column: the test and validation rows are the latest rows." };
        var output = new Option<string>("--output") { Description = "Folder for best-model.zip, summary.json and the default SQLite store.", DefaultValueFactory = _ => CommonOptions.DefaultOutput };
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var study = CommonOptions.Study(required: false);
        study.Description += " Default: the data file's name and the task.";
        var heartbeat = CommonOptions.Seconds("--heartbeat-timeout", "Seconds without a heartbeat after which another worker's running trial is marked failed. Default 60.");
        var createOnly = new Option<bool>("--create-only") { Description = "Create the study in the store and exit, for 'worker' processes to run." };
        var workerId = new Option<string?>("--worker-id") { Description = "This process's worker id (default host/pid/start/n)." };
        var columnKinds = new Option<string[]>("--column-kind") { Description = "Override an inferred column kind: NAME=numeric|text|categorical|ignore (repeatable, comma-separated).", AllowMultipleArgumentsPerToken = true };
        var forceNewStudy = new Option<bool>("--force-new-study") { Description = "When the store holds the study, start a new one beside it (NAME-2, ...) instead of resuming it." };

        var command = new Command("tune", "Tune trainers on a data file; resumes the study if the store holds it.")
        {
            data, label, task, trainers, tuner, metric, trials, time, parallel, seed, validation, output, storage, connection, study, heartbeat, createOnly, workerId, columnKinds, forceNewStudy, testData, testFraction, groupColumn, orderColumn, config, tunerOptions, minBudget, maxBudget, budgetUnit, validationData, crossValidation,
        };
        var transfer = new TransferOptions();
        transfer.AddTo(command);
        command.SetAction((result, cancellationToken) => Program.Guard(async () =>
        {
            var replay = result.GetValue(config) is { } configPath ? TuneConfig.Read(configPath) : null;
            T From<T>(Option<T> option, T fromConfig) => replay is null || result.GetResult(option) is { Implicit: false } ? result.GetValue(option)! : fromConfig;
            string Needed(Option<string?> option, string? fromConfig) =>
                From(option, fromConfig) ?? throw new CliException($"Option '{option.Name}' is required (or give --config FILE.mltune).");
            var dataPath = Needed(data, replay?.Data);
            var taskName = Needed(task, replay?.Task);
            var parsedTask = TaskNames.Parse(taskName);
            var labelName = Needed(label, replay?.Label);
            var givenTrainers = (result.GetValue(trainers) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var givenKinds = TuneSettings.ParseColumnKinds(SplitList(result.GetValue(columnKinds)), labelName);
            var validationFraction = From(validation, replay?.ValidationFraction ?? 0);

            // The config's budgets go with its tuner, its way of validating with none given here.
            var replayedTuner = result.GetResult(tuner) is { Implicit: false } ? null : replay;
            var replayedValidation = result.GetResult(validation) is { Implicit: false } || result.GetValue(validationData) is not null || result.GetValue(crossValidation) is not null ? null : replay;
            var settings = new TuneSettings
            {
                DataPath = Path.GetFullPath(dataPath),
                LabelColumn = labelName,
                Task = TaskNames.Name(parsedTask),
                Trainers = replay is not null && givenTrainers.Count == 0 ? replay.Trainers : givenTrainers,
                Tuner = From(tuner, replay?.Tuner!),
                TunerOptions = TunerOptionValues.Parse(SplitList(result.GetValue(tunerOptions))) ?? replayedTuner?.TunerOptions,
                MinBudget = result.GetValue(minBudget) ?? replayedTuner?.MinBudget,
                MaxBudget = result.GetValue(maxBudget) ?? replayedTuner?.MaxBudget,
                BudgetUnit = result.GetValue(budgetUnit) ?? replayedTuner?.BudgetUnit,
                ValidationData = result.GetValue(validationData) is { } validationPath ? Path.GetFullPath(validationPath) : replayedValidation?.ValidationData,
                CrossValidationFolds = (result.GetValue(crossValidation) ?? replayedValidation?.CrossValidationFolds) is int folds ? (folds >= 2 ? folds : throw new CliException($"--cv must be at least 2 folds, not {folds}.")) : null,
                Metric = From(metric, replay?.Metric),
                Seed = From(seed, replay?.Seed ?? 0),
                ValidationFraction = validationFraction is > 0 and < 1 ? validationFraction : throw new CliException($"--validation-fraction must be between 0 and 1, not {validationFraction}."),
                Trials = CommonOptions.AtLeast(From(trials, replay?.Trials), 1, "--trials"),
                ColumnKinds = replay is not null && givenKinds is null ? replay.ColumnKinds : givenKinds,
            };

            // Every input is checked before the store is touched, so a typo never creates a study.
            var file = TabularFile.Inspect(settings.DataPath).WithKinds(settings.Kinds());
            var labelCheck = LabelCheck.Of(file, settings.LabelColumn, parsedTask);
            if (file.Columns.All(c => c.Name == settings.LabelColumn || c.Kind == ColumnKind.Ignore))
            {
                throw new CliException($"'{file.Path}' has no feature column besides the label '{settings.LabelColumn}'.");
            }

            settings = TestOptions.Apply(settings, file, result.GetValue(testData), result.GetValue(testFraction), result.GetValue(groupColumn), result.GetValue(orderColumn));
            var catalog = new Microsoft.ML.MLContext(settings.Seed).Tuning();
            var validationWays = new[] { result.GetResult(validation) is { Implicit: false } ? "--validation-fraction" : null, settings.ValidationData is null ? null : "--validation-data", settings.CrossValidationFolds is null ? null : "--cv" }.OfType<string>().ToList();
            if (validationWays.Count > 1)
            {
                throw new CliException($"{string.Join(" and ", validationWays)} are two ways to measure trials; give one.");
            }

            if (settings.ValidationData is { } validationFile && !File.Exists(validationFile))
            {
                throw new CliException($"Validation data file not found: '{validationFile}'.");
            }

            var isPbt = TunerNames.Resolve(catalog.Tuners, settings.Tuner, settings.MinBudget, settings.MaxBudget, tunerOptions: settings.TunerOptions).Name == "pbt";
            if (settings.BudgetUnit is not null && !TunerNames.MultiFidelity(catalog.Tuners).Contains(settings.Tuner, StringComparer.OrdinalIgnoreCase))
            {
                throw new CliException(isPbt
                    ? "--budget-unit does not apply to pbt: a member trains its trainer's own unit (epochs, iterations), from checkpoint to checkpoint. Set the epochs with --min-budget (interval) and --max-budget (total)."
                    : $"--budget-unit needs a multi-fidelity tuner ({string.Join(", ", TunerNames.MultiFidelity(catalog.Tuners))}), not '{settings.Tuner}'.");
            }

            if (isPbt)
            {
                settings = PbtSettings.Check(settings, catalog, parsedTask, result.GetValue(createOnly), trialsGiven: result.GetResult(trials) is { Implicit: false } || replay?.Trials is not null);
            }

            PreparedData.Trainers(catalog, file, labelCheck, parsedTask, settings.Trainers, settings.BudgetUnit, settings.GroupColumn);
            settings = settings with { Metric = MetricNames.Resolve(parsedTask, settings.Metric).Name };
            settings = settings.WithDataFingerprint();
            var options = new RunOptions
            {
                StudyName = StudyNameOr(result.GetValue(study) ?? replay?.Study, settings.DataPath, settings.Task),
                TimeBudget = CommonOptions.PositiveSeconds(result.GetValue(time), "--time"),
                Parallel = CommonOptions.AtLeast(result.GetValue(parallel), 1, "--parallel")!.Value,
                HeartbeatTimeout = CommonOptions.PositiveSeconds(result.GetValue(heartbeat), "--heartbeat-timeout") ?? TimeSpan.FromSeconds(60),
                WorkerId = result.GetValue(workerId),
                OutputFolder = result.GetValue(output),
                WriteSettings = true,
                CreateOnly = result.GetValue(createOnly),
                Inspected = file,
                // A replay is a new study: beside the one it was written from when the store holds that one.
                ForceNewStudy = result.GetValue(forceNewStudy) || replay is not null,
            };
            options = options with { Transfer = transfer.Read(result, settings.Task, result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(options.OutputFolder!), options.CreateOnly) };

            ITrialStore? store = null;
            try
            {
                return await StudyRunner.RunAsync(
                    settings,
                    () =>
                    {
                        // Before the first trial, not after the last: results that cannot be saved are not worth tuning for.
                        OutputFiles.EnsureWritable(options.OutputFolder!, "--output");
                        return store = StoreLocation.Open(result.GetValue(storage), result.GetValue(connection), CommonOptions.DefaultStorage(options.OutputFolder!));
                    },
                    options,
                    AnsiConsole.Console,
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }

    private static string StudyNameOr(string? given, string dataPath, string task)
    {
        if (given is not null)
        {
            try
            {
                return StudyNames.Validate(given);
            }
            catch (ArgumentException e)
            {
                throw new CliException(CliException.MessageOf(e));
            }
        }

        var stem = Unsafe().Replace(Path.GetFileNameWithoutExtension(dataPath), "-").Trim('-');
        return StudyNames.Validate($"{(stem.Length == 0 ? "data" : stem[..Math.Min(stem.Length, 100)])}-{task}");
    }

    private static IEnumerable<string> SplitList(string[]? items) =>
        (items ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex Unsafe();
}
