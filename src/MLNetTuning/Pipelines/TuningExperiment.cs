using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Tunes a <see cref="TunablePipeline"/> on data: every trial builds the pipeline from proposed parameters,
/// fits it and measures the metric on held-out data (a validation set, or k-fold cross-validation).
/// Create one with <c>mlContext.Tuning().CreateExperiment(...)</c>.
/// </summary>
public sealed class TuningExperiment
{
    private readonly MLContext _context;
    private readonly TunablePipeline _pipeline;
    private readonly string _labelColumnName;
    private readonly TuningExperimentOptions _options;
    private readonly int _contextSeed;
    private IDataView? _train;
    private IDataView? _validation;
    private int _folds;
    private int _outerFolds;
    private readonly ExperimentHoldOut _holdOut = new();
    private TunerFactory _tuner = TunerCatalog.DefaultTuner;
    private readonly List<IReadOnlyDictionary<string, object?>> _enqueued = [];
    private (string Source, Transfer.WarmStartOptions? Options)? _warmStart;

    internal TuningExperiment(MLContext context, TunablePipeline pipeline, TuningMetric metric, string labelColumnName, TuningExperimentOptions? options, int contextSeed)
    {
        _context = context;
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        Metric = metric;
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        _labelColumnName = labelColumnName;
        _options = options ?? new TuningExperimentOptions();
        _contextSeed = contextSeed;
    }

    /// <summary>
    /// The trial attribute naming the trial whose checkpoint a trial continued from (a promotion or a PBT interval
    /// of a continuable trainer). A promotion whose parent's checkpoint is not kept trains from scratch and has none.
    /// </summary>
    public const string ContinuedFromAttribute = "continued_from";

    /// <summary>The metric the experiment optimizes.</summary>
    public TuningMetric Metric { get; }

    /// <summary>The pipeline's search space.</summary>
    public TunablePipeline Pipeline => _pipeline;

    /// <summary>A trial starts.</summary>
    public event EventHandler<TrialEventArgs>? TrialStarted;

    /// <summary>A trial completed; its <see cref="TuningTrial.Value"/> is the metric.</summary>
    public event EventHandler<TrialEventArgs>? TrialCompleted;

    /// <summary>A trial failed; the experiment goes on.</summary>
    public event EventHandler<TrialEventArgs>? TrialFailed;

    /// <summary>A trial was stopped at a rung or by a pruner; its <see cref="TuningTrial.IntermediateValues"/> say how far it got.</summary>
    public event EventHandler<TrialEventArgs>? TrialPruned;

    /// <summary>A trial beat every earlier one.</summary>
    public event EventHandler<TrialEventArgs>? NewBestTrial;

    /// <summary>Trains on <paramref name="train"/> and measures on <paramref name="validation"/>.</summary>
    public TuningExperiment SetTrainValidationData(IDataView train, IDataView validation)
    {
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        _folds = 0;
        _outerFolds = 0;
        _holdOut.ValidationFraction = null;
        _holdOut.Columns = SplitColumns.None;
        return this;
    }

    /// <summary>Measures each trial by k-fold cross-validation on <paramref name="data"/>; the best model is refitted on all of it.</summary>
    /// <param name="data">All the data.</param>
    /// <param name="folds">Number of folds, at least 2. Default 5.</param>
    /// <param name="samplingKeyColumnName">Rows sharing this column's value stay in one fold (a grouping column).</param>
    /// <param name="orderColumnName">A number or date column: folds then chain forward in time (each trains on the
    /// rows before the ones it is measured on), and a test fraction takes the latest rows.</param>
    public TuningExperiment SetCrossValidationData(IDataView data, int folds = 5, string? samplingKeyColumnName = null, string? orderColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (folds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "Cross-validation needs at least 2 folds.");
        }

        var columns = new SplitColumns(samplingKeyColumnName, orderColumnName);
        columns.Check(data.Schema);
        _train = data;
        _validation = null;
        _folds = folds;
        _outerFolds = 0;
        _holdOut.ValidationFraction = null;
        _holdOut.Columns = columns;
        return this;
    }

    /// <summary>Splits <paramref name="data"/> into training and validation rows (after any test rows), honouring a
    /// grouping and an order column (the validation rows are then the latest).</summary>
    /// <param name="data">All the data.</param>
    /// <param name="validationFraction">Share of the rows (after the test rows) that measures trials, in (0, 0.5]. Default 0.2.</param>
    /// <param name="samplingKeyColumnName">Rows sharing this column's value stay on one side of every split.</param>
    /// <param name="orderColumnName">A number or date column: the validation and test rows are the latest ones.</param>
    public TuningExperiment SetTrainValidationSplit(IDataView data, double validationFraction = 0.2, string? samplingKeyColumnName = null, string? orderColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var columns = new SplitColumns(samplingKeyColumnName, orderColumnName);
        columns.Check(data.Schema);
        _holdOut.ValidationFraction = ExperimentHoldOut.CheckFraction(validationFraction, nameof(validationFraction));
        _holdOut.Columns = columns;
        _train = data;
        _validation = null;
        _folds = 0;
        _outerFolds = 0;
        return this;
    }

    /// <summary>Holds <paramref name="test"/> back from the study: after it, the best trials are refitted and scored
    /// once on it (see <see cref="TuningExperimentResult.Confirmation"/>). No tuner, pruner or model choice sees it.</summary>
    public TuningExperiment SetTestData(IDataView test)
    {
        _holdOut.TestData = test ?? throw new ArgumentNullException(nameof(test));
        _holdOut.TestFraction = null;
        return this;
    }

    /// <summary>Splits a share of the data off as test rows before anything else (the latest rows with an order
    /// column, whole groups with a grouping column); used like <see cref="SetTestData"/>.</summary>
    /// <param name="fraction">Share of the rows, in (0, 0.5].</param>
    public TuningExperiment SetTestFraction(double fraction)
    {
        _holdOut.TestFraction = ExperimentHoldOut.CheckFraction(fraction, "test fraction");
        _holdOut.TestData = null;
        return this;
    }

    /// <summary>
    /// Estimates the whole tune-then-fit procedure by nested cross-validation on <paramref name="data"/>: each of
    /// <paramref name="outerFolds"/> folds runs its own study (cross-validated with <paramref name="innerFolds"/>
    /// folds) on the other folds' rows and scores its choice on its own rows (see
    /// <see cref="TuningExperimentResult.NestedCrossValidation"/>). Then a last study on all the rows gives the model.
    /// </summary>
    public TuningExperiment SetNestedCrossValidation(IDataView data, int outerFolds = 5, int innerFolds = 3, string? samplingKeyColumnName = null, string? orderColumnName = null)
    {
        if (outerFolds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(outerFolds), outerFolds, "Nested cross-validation needs at least 2 outer folds.");
        }

        SetCrossValidationData(data, innerFolds, samplingKeyColumnName, orderColumnName);
        _outerFolds = outerFolds;
        return this;
    }

    /// <summary>Chooses the tuner (default: random search). Get one from <c>mlContext.Tuning().Tuners</c>.</summary>
    public TuningExperiment SetTuner(TunerFactory tuner)
    {
        _tuner = tuner ?? throw new ArgumentNullException(nameof(tuner));
        return this;
    }

    /// <summary>Queues a point (full, or partial with the rest drawn by the tuner) to run first; see <see cref="TuningStudy.Enqueue"/>.</summary>
    /// <exception cref="ArgumentException">A name is not in the pipeline's space or a value is outside its domain.</exception>
    public TuningExperiment Enqueue(IReadOnlyDictionary<string, object?> parameters)
    {
        Transfer.PartialParameters.Validate(_pipeline.Space, parameters);
        _enqueued.Add(parameters);
        return this;
    }

    /// <summary>Warm starts the experiment's study from an earlier study when it runs; see
    /// <see cref="TuningStudy.WarmStartFrom(string, Transfer.WarmStartOptions?)"/>. Its messages go to
    /// <see cref="Transfer.WarmStartOptions.Log"/>. The source is looked up when the experiment runs: a missing one
    /// throws <see cref="ArgumentException"/> from <see cref="RunAsync"/>.</summary>
    public TuningExperiment WarmStartFrom(string sourceStudyName, Transfer.WarmStartOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceStudyName);
        _warmStart = (sourceStudyName, options);
        return this;
    }

    /// <summary>Runs the experiment until its trial or time budget is used, the tuner is done, or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="InvalidOperationException">No data was set.</exception>
    /// <exception cref="ArgumentException">The data is empty, or the pipeline does not fit it (unknown column, wrong label type), or
    /// separate validation or test data of a classification metric has a label value the training data lacks, or a
    /// trainer that needs non-negative labels (Poisson regression) is tuned on a label below 0; the message names the problem.</exception>
    public async Task<TuningExperimentResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var train = _train ?? throw new InvalidOperationException("No data: call SetTrainValidationData or SetCrossValidationData before running the experiment.");
        ExperimentDataChecks.RequireRows(train, _validation is null ? "data" : "training data");
        if (_validation is not null)
        {
            ExperimentDataChecks.RequireRows(_validation, "validation data");
        }

        var seed = _options.Seed ?? _contextSeed;
        ExperimentDataChecks.CheckPipelineFits(_pipeline, _labelColumnName, train.Schema, seed);
        ExperimentDataChecks.CheckLabelsSuitTrainers(_pipeline, train, _labelColumnName, _validation is null ? "data" : "training data");
        if (_validation is not null)
        {
            ExperimentDataChecks.CheckColumnsMatch(train.Schema, _validation.Schema);
            ExperimentDataChecks.CheckLabelValuesKnown(train, _validation, _labelColumnName, Metric, "validation data");
        }

        if (_holdOut.TestData is { } test)
        {
            ExperimentDataChecks.CheckLabelValuesKnown(_validation is null ? train : new ConcatenatedView(train, _validation), test, _labelColumnName, Metric, "test data");
        }

        var splits = _holdOut.Split(_context, train, _validation, _folds, seed, _options.CacheData);
        train = splits.Train;
        var nested = _outerFolds >= 2 ? await NestedCrossValidationRunner.RunAsync(this, splits.Train, seed, cancellationToken).ConfigureAwait(false) : null;
        var tuner = _tuner.Create(_pipeline.Space, seed);
        if (TrialBudgets.SetsBudgets(tuner))
        {
            // The budget decides the trees, epochs or iterations, so the tuner does not search them.
            tuner = _tuner.Create(_pipeline.BudgetedSpace, seed);
        }

        using var study = OpenStudy(tuner);
        var budgets = new TrialBudgets(tuner, line => study.Write(line));

        if (budgets.IsPopulationBased)
        {
            CheckPopulationBased(splits.Folds is not null);
        }

        var runner = new ExperimentTrialRunner(_pipeline, Metric, _labelColumnName, budgets, train, splits.Validation, splits.Folds, seed, _options.RankAcrossBudgets);
        // The confirmation's training belongs to the time budget too.
        using var deadline = CancellableTraining.Deadline(_options.TimeBudget);
        var result = await study.OptimizeAsync(runner.RunAsync, _options.Limits, cancellationToken).ConfigureAwait(false);
        // A cancelled experiment hands back what completed at once, with the best trial's model as it was trained.
        if (splits.Test is not null && result.BestTrial is not null && !cancellationToken.IsCancellationRequested)
        {
            var refitRows = _options.RefitOnTrainAndValidation ? splits.RefitRows : null;
            var (confirmation, refitted) = Confirmer.Run(result.BestTrial, result.Trials, Metric, _labelColumnName, runner.Fit, splits.Test, refitRows, _options, seed, cancellationToken, deadline.Token, deadline.Token);

            // Kept with the study, so that a report of the stored study shows the test section.
            study.SetStudyAttribute(TuningConfirmation.StudyAttributeKey, confirmation.ToJson());
            return new TuningExperimentResult(Metric, result, refitted, _options.RankAcrossBudgets) { Confirmation = confirmation, NestedCrossValidation = nested };
        }

        if (result.BestTrial is { } best && runner.KeptModel(best.Id) is null)
        {
            // Said because it takes about as long as that trial did, after the limits have stopped the study.
            study.Write($"Trial {best.Id} ran in an earlier run or on another worker, so its model is not in this process: training it again for the result.");
        }

        return new TuningExperimentResult(Metric, result, runner.BestModel(result.BestTrial), _options.RankAcrossBudgets) { NestedCrossValidation = nested };
    }

    /// <summary>A copy of this experiment for one outer fold of a nested cross-validation: same pipeline, metric and
    /// tuner, its own in-memory study on <paramref name="data"/> cross-validated as this one is.</summary>
    internal TuningExperiment ForOuterFold(IDataView data, int fold, int seed)
    {
        var options = new TuningExperimentOptions
        {
            MaxTrials = _options.MaxTrials,
            TimeBudget = _options.TimeBudget,
            ParallelTrials = _options.ParallelTrials,
            Seed = SeedMixer.Mix(seed, 2_000_000 + fold),
            StudyName = $"{_options.StudyName}-outer{fold}",
            CacheData = _options.CacheData,
        };
        var inner = new TuningExperiment(_context, _pipeline, Metric, _labelColumnName, options, _contextSeed) { _tuner = _tuner };
        return inner.SetCrossValidationData(data, _folds, _holdOut.Columns.GroupColumn, _holdOut.Columns.OrderColumn);
    }

    internal int OuterFolds => _outerFolds;

    internal int InnerFolds => _folds;

    internal SplitColumns SplitColumns => _holdOut.Columns;

    internal string LabelColumnName => _labelColumnName;

    /// <summary>Opens the experiment's study (resuming what its store holds) and forwards its trial events.</summary>
    private TuningStudy OpenStudy(IHyperparameterTuner tuner)
    {
        var study = new TuningStudy(tuner, new TuningStudyOptions
        {
            Name = _options.StudyName,
            Direction = Metric.Direction,
            Store = _options.Store,
            HeartbeatTimeout = _options.HeartbeatTimeout,
            TotalTrialBudget = _options.TotalTrialBudget,
            Progress = _options.Progress,
            MetricName = Metric.Name,
            RankAcrossBudgets = _options.RankAcrossBudgets,
        }).LogTo(_context);
        _enqueued.ForEach(study.Enqueue);
        if (_pipeline.Space.TryGetValue("trainer", out var trainers) && trainers is ConditionalChoice choice)
        {
            foreach (var entry in (_options.Portfolio ?? []).Where(e => choice.Branches.ContainsKey(e.Trainer)))
            {
                study.Enqueue(new Dictionary<string, object?> { ["trainer"] = new BranchSelection(entry.Trainer, entry.Parameters) });
            }
        }

        if (_warmStart is { } warm)
        {
            study.WarmStartFrom(warm.Source, warm.Options);
        }
        study.TrialStarted += (s, e) => TrialStarted?.Invoke(this, e);
        study.TrialCompleted += (s, e) => TrialCompleted?.Invoke(this, e);
        study.TrialFailed += (s, e) => TrialFailed?.Invoke(this, e);
        study.TrialPruned += (s, e) => TrialPruned?.Invoke(this, e);
        study.NewBestTrial += (s, e) => NewBestTrial?.Invoke(this, e);
        return study;
    }

    /// <summary>Runs the experiment synchronously; see <see cref="RunAsync"/>.</summary>
    public TuningExperimentResult Run(CancellationToken cancellationToken = default) => RunAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Trains a fresh model along a PBT lineage (the winner's hyperparameter schedule): each interval continues the
    /// previous one's checkpoint with that interval's hyperparameters, seeded as its trial was. With deterministic
    /// trainers the result reproduces the lineage's last metric.
    /// </summary>
    /// <returns>The model and its metric on the validation data.</returns>
    /// <exception cref="InvalidOperationException">No train and validation data were set.</exception>
    public (ITransformer Model, double Value) ReplaySchedule(PbtLineage lineage)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        var train = _train ?? throw new InvalidOperationException("No data: call SetTrainValidationData before replaying a schedule.");
        var validation = _validation ?? throw new InvalidOperationException("Replaying a schedule needs the validation data of SetTrainValidationData.");
        var seed = _options.Seed ?? _contextSeed;

        // The run trained on the cached view, which trainers shuffle differently from the uncached one.
        if (_options.CacheData)
        {
            train = _context.Data.Cache(train);
        }

        TrainingContinuation? previous = null;
        ITransformer? model = null;
        MLContext? context = null;
        foreach (var segment in lineage.Segments)
        {
            context = ExperimentTrialRunner.TrialContextFor(seed, segment.TrialId);
            var from = previous;
            var chosen = new List<TunableEstimator>();
            var estimator = _pipeline.Build(
                context,
                segment.Parameters,
                (tunable, parameters) =>
                {
                    chosen.Add(tunable);
                    return tunable.CanContinue
                        ? tunable.EffectiveBudget.Unit.Apply(new BudgetRequest(parameters, segment.EndBudget, segment.TrialId, from?.ParentTrialId, tunable.EffectiveBudget.Maximum)).Parameters
                        : parameters;
                },
                tunable => tunable.CanContinue ? from : null);
            model = estimator.Fit(train);
            var checkpoint = chosen.Where(c => c.CanContinue).Select(c => Flatten(model).Select(c.CheckpointOf).FirstOrDefault(x => x is not null)).FirstOrDefault(x => x is not null)
                ?? throw new InvalidOperationException("The lineage's trainer left no checkpoint to continue from; replay needs a continuable trainer.");
            previous = new TrainingContinuation(checkpoint, segment.EndBudget, segment.TrialId);
        }

        if (model is null || context is null)
        {
            throw new ArgumentException("The lineage has no intervals.", nameof(lineage));
        }

        return (model, Metric.Evaluate(context, model.Transform(validation), _labelColumnName));
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is TransformerChain<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    /// <summary>PBT continues every member from a checkpoint, on one validation set.</summary>
    private void CheckPopulationBased(bool crossValidated)
    {
        if (crossValidated)
        {
            throw new ArgumentException("Population-based training needs train and validation data (SetTrainValidationData): a member continues one model, which cross-validation does not have.");
        }

        if (_options.HeartbeatTimeout is not null)
        {
            throw new ArgumentException("Population-based training cannot share its study with other workers (HeartbeatTimeout is set): its members continue from checkpoints kept in this process.");
        }

        var fixedOnly = _pipeline.TunableStages.SelectMany(s => s).FirstOrDefault(e => !e.CanContinue);
        if (fixedOnly is not null)
        {
            throw new ArgumentException($"Population-based training continues each member from its parent's checkpoint, and '{fixedOnly.Name}' cannot continue training. Use trainers made with TunableEstimator.Continuable: the neural networks (MLNetTuning.TorchSharp) and the online linear presets (AveragedPerceptron, LinearSvm, OnlineGradientDescent).");
        }
    }

}
