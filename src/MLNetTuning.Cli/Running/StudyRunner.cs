using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using Spectre.Console;

namespace MLNetTuning.Cli.Running;

/// <summary>How one process takes part in a study: its limits, and whether it writes the model and summary.</summary>
internal sealed record RunOptions
{
    public required string StudyName { get; init; }

    public int? MaxTrials { get; init; }

    public TimeSpan? TimeBudget { get; init; }

    public int Parallel { get; init; } = 1;

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool Requeue { get; init; }

    public string? WorkerId { get; init; }

    public string? OutputFolder { get; init; }

    public bool WriteSettings { get; init; }

    public bool CreateOnly { get; init; }

    /// <summary>The data file as 'tune' already scanned it (null: scan it again).</summary>
    public TabularFile? Inspected { get; init; }

    /// <summary>A stored study with other settings is left as it is and a new one, NAME-N, starts beside it.</summary>
    public bool ForceNewStudy { get; init; }

    /// <summary>Points to enqueue and a study to warm start from (tune --enqueue/--warm-start), or null.</summary>
    public TransferRequest? Transfer { get; init; }
}

/// <summary>Runs trials of a study of the tool (tune and worker alike), shows progress and the leaderboard,
/// and saves the best model and a JSON summary.</summary>
internal static class StudyRunner
{
    /// <summary>Runs this process's part of the study. The store is opened (by <paramref name="openStore"/>) only once
    /// the data is read and checked, so that a bad input never creates one.</summary>
    public static async Task<int> RunAsync(TuneSettings settings, Func<ITrialStore> openStore, RunOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var task = TaskNames.Parse(settings.Task);
        var file = options.Inspected ?? TabularFile.Inspect(settings.DataPath).WithKinds(settings.Kinds());
        var ml = new MLContext(settings.Seed);
        var tunerFactory = TunerNames.Resolve(ml.Tuning().Tuners, settings.Tuner, settings.MinBudget, settings.MaxBudget, options.TimeBudget, settings.TunerOptions, options.TimeBudget is null ? settings.Trials : null);
        var prepared = PreparedData.Build(ml, file, settings.LabelColumn, task, settings.Trainers, settings.Metric, settings.ValidationFraction, settings.Seed, settings.HoldOut(), settings.BudgetUnit, populationBased: tunerFactory.Name == "pbt");
        var tuner = tunerFactory.Create(prepared.Pipeline.Space, settings.Seed);
        if (TrialBudgets.SetsBudgets(tuner))
        {
            // As in an experiment: the budget decides the trees or iterations, so the tuner does not search them.
            tuner = tunerFactory.Create(prepared.Pipeline.BudgetedSpace, settings.Seed);
        }

        var metric = prepared.Metric;
        ColumnKindTable.Write(console, file, prepared.Label);
        foreach (var leftOut in prepared.TrainersLeftOut)
        {
            console.MarkupLineInterpolated($"[yellow]note:[/] {leftOut}");
        }

        using var transfer = options.Transfer?.Prepare(prepared.Pipeline.Space, settings.Trainers);
        var store = openStore();
        if (options.WriteSettings)
        {
            // Compared once the store is open; a mismatch is refused, --force-new-study starts NAME-N beside it.
            var runName = StudySettingsCheck.NameFor(store, options.StudyName, settings, options.ForceNewStudy);
            if (runName != options.StudyName)
            {
                console.MarkupLineInterpolated($"--force-new-study: study '{options.StudyName}' is in the store; starting the new study '{runName}' beside it.");
                options = options with { StudyName = runName };
            }
        }

        TuningStudy study;
        try
        {
            study = new TuningStudy(tuner, new TuningStudyOptions
            {
                Name = options.StudyName,
                Direction = metric.Direction,
                Store = store,
                HeartbeatTimeout = options.HeartbeatTimeout,
                RequeueExpiredTrials = options.Requeue,
                WorkerId = options.WorkerId,
                TotalTrialBudget = settings.Trials,
            });
            if (options.WriteSettings)
            {
                store.SetStudyAttribute(options.StudyName, TuneSettings.AttributeKey, settings.ToJson());
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TrialStoreException)
        {
            throw new CliException(e.Message, ExitCodes.StoreError);
        }

        using var _ = study;
        var testRows = prepared.Test is null ? 0 : ColumnValues.CountRows(prepared.Test);
        var before = study.Trials.Count;
        console.MarkupLineInterpolated($"Study [bold]{options.StudyName}[/] in {StoreLocation.Describe(store)}: {TaskNames.Name(task)} on '{file.Path}' ({file.RowCount} rows{(prepared.Label.DroppedRows > 0 ? $", {prepared.Label.DroppedRows} dropped for a missing label" : "")}, label '{settings.LabelColumn}', {prepared.FeatureColumns.Count} feature columns), {metric.Name} ({metric.Direction.ToString().ToLowerInvariant()}), tuner {tunerFactory.Name}, worker {study.WorkerId}.");
        TestReport.Announce(settings, prepared, testRows, console);
        if (before > 0)
        {
            var states = study.Trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            console.MarkupLineInterpolated($"{(study.Trials.Any(t => t.IsFinished) ? "Resuming" : "Joining")}: {before} {(before == 1 ? "trial" : "trials")} stored ({string.Join(", ", states)}).");
        }

        if (options.CreateOnly)
        {
            console.MarkupLineInterpolated($"Created study '{options.StudyName}'; start workers with: mlnet-tune worker --study {options.StudyName} --storage <store>");
            return ExitCodes.Success;
        }

        transfer?.Apply(study, console);
        var models = new BestModelKeeper(metric.Direction);
        var limits = new StudyLimits { MaxTrials = options.MaxTrials, TimeBudget = options.TimeBudget, MaxConcurrentTrials = options.Parallel };

        // The time budget covers the whole run: training stops early enough to leave time for the wrap-up.
        using var reserve = new WrapUpReserve(options.TimeBudget, options.OutputFolder is null ? 0 : testRows, limits);
        if (options.TimeBudget is not null && options.OutputFolder is not null)
        {
            MeasureReportOnce(study, options.StudyName, metric, reserve);
        }

        var modelPath = options.OutputFolder is { } folder ? Path.Combine(folder, "best-model.zip") : null;
        var bestFile = modelPath is null ? null : new BestModelFile(modelPath, study.BestTrial?.Loss ?? double.PositiveInfinity, (model, path) =>
        {
            var saving = Stopwatch.StartNew();
            ml.Model.Save(model, prepared.Train.Schema, path);
            reserve.Saved(saving.Elapsed);
        }, BestModelFile.TrialHeld(modelPath, options.StudyName, StoreLocation.Describe(store)));
        var validation = prepared.Validation;
        var validationRows = options.TimeBudget is null || prepared.Test is null ? 0 : ColumnValues.CountRows(validation);
        var budgetedRunner = TrialBudgets.SetsBudgets(tuner) || prepared.Folds is not null
            ? new ExperimentTrialRunner(prepared.Pipeline, metric, PreparedData.LabelColumn, new TrialBudgets(tuner, line => console.WriteLine(line)), prepared.Train, validation, prepared.Folds, settings.Seed, rankAcrossBudgets: false)
            : null;
        var run = Task.Run(
            () => study.OptimizeAsync(
                async (context, token) =>
                {
                    if (budgetedRunner is not null)
                    {
                        // Multi-fidelity or --cv: the library's runner turns the trial's budget into trees, iterations or
                        // rows, records the budget and the value at each rung, and averages over the folds.
                        var budgetedValue = await budgetedRunner.RunAsync(context, token).ConfigureAwait(false);
                        if (budgetedRunner.KeptModel(context.Trial.Id) is { } kept)
                        {
                            models.Offer(context.Trial.Id, budgetedValue, kept, context.Trial.Budget);
                            bestFile?.Offer(context.Trial.Id, metric.Direction == OptimizationDirection.Maximize ? -budgetedValue : budgetedValue, kept);
                        }

                        return budgetedValue;
                    }

                    context.SetAttribute("trainer", prepared.Pipeline.DescribeChoice(context.Parameters));
                    var trialMl = new MLContext(SeedMixer.Mix(settings.Seed, context.Trial.Id));
                    // Only training is cut: a model trained before the cut is measured and keeps its result.
                    var model = await CancellableTraining.RunAsync(trialMl, () => prepared.Pipeline.Build(trialMl, context.Parameters).Fit(prepared.Train), token).ConfigureAwait(false);
                    var scoring = Stopwatch.StartNew();
                    var value = metric.Evaluate(trialMl, model.Transform(validation), PreparedData.LabelColumn);
                    scoring.Stop();
                    models.Offer(context.Trial.Id, value, model);
                    if (models.ModelOf(context.Trial.Id) is not null)
                    {
                        // The wrap-up scores this model on the test rows.
                        reserve.BestScored(validationRows, scoring.Elapsed);
                    }

                    bestFile?.Offer(context.Trial.Id, metric.Direction == OptimizationDirection.Maximize ? -value : value, model);
                    return value;
                },
                limits,
                cancellationToken),
            CancellationToken.None);

        await ShowProgressAsync(study, run, options, settings, metric, console).ConfigureAwait(false);

        // The wrap-up blocks while it trains and scores: never on a timer's callback thread, whose queue (one per core)
        // must stay free for the wrap-up's own deadline.
        await Task.Yield();
        var result = await run.ConfigureAwait(false);
        study.Refresh();
        var trials = study.Trials;
        var ranThisRun = trials.Count(t => t.WorkerId == study.WorkerId);
        console.WriteLine();
        console.Write(Leaderboard(trials, metric, 10));
        var best = study.BestTrial;
        console.MarkupLineInterpolated($"{ranThisRun} trials run now, {trials.Count} in the study ({trials.Count(t => t.State == TrialState.Completed)} completed, {trials.Count(t => t.State == TrialState.Failed)} failed); stopped by {result.StopReason} after {clock.Elapsed.TotalSeconds:F1} s.");
        if (best is null)
        {
            var firstError = trials.FirstOrDefault(t => t.State == TrialState.Failed)?.Error ?? "none ran";
            console.MarkupLineInterpolated($"[red]No trial completed.[/] First error: {firstError}");
            return Finish(cancellationToken, console, ExitCodes.AllTrialsFailed);
        }

        console.MarkupLineInterpolated($"Best {metric.Name} = [bold]{best.Value?.ToString("F4", CultureInfo.InvariantCulture)}[/] by trial {best.Id} ({best.Attributes.GetValueOrDefault("trainer", "?")}).");
        TuningConfirmation? confirmation = null;
        ITransformer? refitted = null;
        if (prepared.Test is not null && options.OutputFolder is not null && !cancellationToken.IsCancellationRequested)
        {
            (confirmation, refitted) = TestReport.Confirm(settings, prepared, best, trials, models.ModelOf, cancellationToken, reserve.TrainingEnd, reserve.BudgetEnd);
            TestReport.Show(confirmation, metric, console);

            // Kept with the study, so that `mlnet-tune report` of the stored study shows the test section.
            store.SetStudyAttribute(options.StudyName, TuningConfirmation.StudyAttributeKey, confirmation.ToJson());
        }

        if (options.OutputFolder is { } output && modelPath is not null && bestFile is not null)
        {
            Directory.CreateDirectory(output);
            string? savedModel = modelPath;
            if (await bestFile.FlushAsync().ConfigureAwait(false) != best.Id || (refitted is not null && refitted != models.ModelOf(best.Id)))
            {
                // The refitted winner (with test data), or a best that is another worker's or an earlier run's trial
                // (or whose save failed): save it now.
                var model = refitted ?? models.ModelOf(best.Id) ?? BestModelRetraining.Run(settings, prepared, best, budgetedRunner, modelPath, console, cancellationToken);
                if (model is null)
                {
                    savedModel = null;
                }
                else
                {
                    OutputFiles.ReplaceAtomically(modelPath, path => ml.Model.Save(model, prepared.Train.Schema, path));
                }
            }

            var summaryPath = Path.Combine(output, "summary.json");
            var summary = Summary(settings, options, store, metric, trials, best, result, savedModel, clock.Elapsed, confirmation);
            OutputFiles.ReplaceAtomically(summaryPath, path => File.WriteAllText(path, summary));
            if (savedModel is null)
            {
                console.MarkupLineInterpolated($"Saved the summary to {summaryPath}.");
            }
            else
            {
                console.MarkupLineInterpolated($"Saved the best model to {modelPath} and the summary to {summaryPath}.");
            }
            var snapshot = new Visualization.StudySnapshot(options.StudyName, metric.Direction, trials, study.Space)
            {
                TestEvaluation = confirmation is null ? null : Visualization.StudyTestEvaluation.From(confirmation),
            };
            Commands.ReportCommand.WriteAfterTune(snapshot, Path.Combine(output, "report.html"), console);
        }

        return Finish(cancellationToken, console, ExitCodes.Success);
    }

    /// <summary>After the first completed trial, builds report.html once in the background (and throws it away) to
    /// measure its cost for <paramref name="reserve"/>; this also loads the report's code before the wrap-up needs it.</summary>
    private static void MeasureReportOnce(TuningStudy study, string studyName, TuningMetric metric, WrapUpReserve reserve)
    {
        var started = 0;
        study.TrialCompleted += (_, _) =>
        {
            if (Interlocked.Exchange(ref started, 1) == 1)
            {
                return;
            }

            _ = Task.Run(() =>
            {
                try
                {
                    var building = Stopwatch.StartNew();
                    Visualization.StudyReport.Build(new Visualization.StudySnapshot(studyName, metric.Direction, study.Trials, study.Space));
                    reserve.ReportBuilt(building.Elapsed);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Only a measurement: the real report is written, and its failure reported, after the study.
                }
            });
        };
    }

    /// <summary>After Ctrl+C or SIGTERM: says so, and exits with <see cref="ExitCodes.Cancelled"/>.</summary>
    private static int Finish(CancellationToken cancellationToken, IAnsiConsole console, int exitCode)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            return exitCode;
        }

        console.MarkupLine("[yellow]Cancelled.[/] Completed trials are stored and the trials that were running are marked failed; run the same command again to resume the study.");
        return ExitCodes.Cancelled;
    }

    private static async Task ShowProgressAsync(TuningStudy study, Task<StudyResult> run, RunOptions options, TuneSettings settings, TuningMetric metric, IAnsiConsole console)
    {
        var total = options.MaxTrials ?? (settings.Trials is int budget ? Math.Max(0, budget - study.Trials.Count) : (int?)null);
        var clock = Stopwatch.StartNew();
        if (!console.Profile.Capabilities.Interactive)
        {
            // Logs and pipes get one plain line per finished trial instead of a redrawn bar.
            var gate = new object();
            void Line(object? sender, TrialEventArgs e)
            {
                lock (gate)
                {
                    // The library's own progress line, as MLContext.Log shows it.
                    console.WriteLine(TrialProgress.Format(e.Trial, study.BestTrial, metric.Name));
                }
            }

            study.TrialCompleted += Line;
            study.TrialFailed += Line;
            study.TrialPruned += Line;
            await run.ConfigureAwait(false);
            return;
        }

        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("Tuning", maxValue: total ?? 100);
                var finalPass = false;
                while (!finalPass)
                {
                    finalPass = run.IsCompleted;
                    var mine = study.Trials.Where(t => t.WorkerId == study.WorkerId).ToList();
                    bar.Value = total is not null
                        ? mine.Count(t => t.IsFinished)
                        : options.TimeBudget is { } time ? Math.Min(100, 100 * clock.Elapsed / time) : 0;
                    var best = study.BestTrial;
                    bar.Description = best is null
                        ? $"Tuning: {mine.Count(t => t.IsFinished)} trials done"
                        : string.Create(CultureInfo.InvariantCulture, $"Tuning: {mine.Count(t => t.IsFinished)} done, best {metric.Name} {best.Value:F4} (trial {best.Id}, {Markup.Escape(best.Attributes.GetValueOrDefault("trainer", "?"))})");
                    if (!finalPass)
                    {
                        await Task.WhenAny(run, Task.Delay(200)).ConfigureAwait(false);
                    }
                }

                bar.Value = bar.MaxValue;
            }).ConfigureAwait(false);
    }

    /// <summary>The best completed trials as a table.</summary>
    public static Table Leaderboard(IReadOnlyList<TuningTrial> trials, TuningMetric? metric, int top)
    {
        var table = new Table().Title("Leaderboard").AddColumns("rank", "trial", "trainer", metric?.Name ?? "value", "seconds");
        var rows = trials.Where(t => t.State == TrialState.Completed).OrderBy(t => t.Loss).ThenBy(t => t.Id).Take(top).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i];
            table.AddRow(
                (i + 1).ToString(CultureInfo.InvariantCulture),
                t.Id.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(t.Attributes.GetValueOrDefault("trainer", "?")),
                t.Value?.ToString("F4", CultureInfo.InvariantCulture) ?? "",
                t.Duration?.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) ?? "");
        }

        return table;
    }

    private static string Summary(TuneSettings settings, RunOptions options, ITrialStore store, TuningMetric metric, IReadOnlyList<TuningTrial> trials, TuningTrial best, StudyResult result, string? modelPath, TimeSpan elapsed, TuningConfirmation? confirmation)
    {
        var summary = new JsonObject
        {
            ["study"] = options.StudyName,
            ["storage"] = StoreLocation.Describe(store),
            ["data"] = settings.DataPath,
            ["label"] = settings.LabelColumn,
            ["task"] = settings.Task,
            ["tuner"] = settings.Tuner,
            ["seed"] = settings.Seed,
            ["metric"] = metric.Name,
            ["direction"] = metric.Direction.ToString().ToLowerInvariant(),
            ["trials"] = new JsonObject
            {
                ["total"] = trials.Count,
                ["completed"] = trials.Count(t => t.State == TrialState.Completed),
                ["pruned"] = trials.Count(t => t.State == TrialState.Pruned),
                ["failed"] = trials.Count(t => t.State == TrialState.Failed),
                ["running"] = trials.Count(t => t.State == TrialState.Running),
            },
            ["best"] = new JsonObject
            {
                ["trial"] = best.Id,
                ["value"] = best.Value,
                ["trainer"] = best.Attributes.GetValueOrDefault("trainer"),
                ["seconds"] = best.Duration?.TotalSeconds,
                ["parameters"] = JsonNode.Parse(best.Parameters.ToJson()),
            },
            ["test"] = confirmation?.ToJsonObject(),
            ["model"] = modelPath is null ? null : Path.GetFullPath(modelPath),
            ["stop_reason"] = result.StopReason.ToString(),
            ["elapsed_seconds"] = Math.Round(elapsed.TotalSeconds, 3),
        };
        return summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
