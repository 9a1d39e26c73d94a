using System.Globalization;
using Microsoft.ML;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Runs the trials of one <see cref="TuningExperiment"/> run: builds a trial's pipeline at each of its budget
/// levels, fits it, measures the metric on the validation data (or the folds), reports rungs to the tuner, and keeps
/// the checkpoints later trials continue from and the best model. After the study it hands back the best model,
/// refitted where none was kept.
/// </summary>
internal sealed class ExperimentTrialRunner
{
    private readonly TunablePipeline _pipeline;
    private readonly TuningMetric _metric;
    private readonly string _labelColumnName;
    private readonly TrialBudgets _budgets;
    private readonly IDataView _train;
    private readonly IDataView? _validation;
    private readonly IReadOnlyList<DataFold>? _folds;
    private readonly int _seed;
    private readonly TrialCheckpoints _checkpoints = new();
    private readonly BestModelKeeper _models;

    public ExperimentTrialRunner(TunablePipeline pipeline, TuningMetric metric, string labelColumnName, TrialBudgets budgets, IDataView train, IDataView? validation, IReadOnlyList<DataFold>? folds, int seed, bool rankAcrossBudgets)
    {
        _pipeline = pipeline;
        _metric = metric;
        _labelColumnName = labelColumnName;
        _budgets = budgets;
        _train = train;
        _validation = validation;
        _folds = folds;
        _seed = seed;
        _models = new BestModelKeeper(metric.Direction, rankAcrossBudgets);
    }

    /// <summary>The ML.NET context of one trial: seeded from the experiment's seed and the trial id, so a trial
    /// trains the same way whichever worker or run evaluates it.</summary>
    public static MLContext TrialContextFor(int seed, int trialId) => new(SeedMixer.Mix(seed, trialId));

    /// <summary>Evaluates one trial: every level of its budget in turn; the value is the last level's metric.</summary>
    /// <exception cref="TrialPrunedException">The tuner stopped the trial at a rung.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired (time budget, cancellation): the
    /// trial's training is stopped, or left behind when its trainer does not listen, and not waited for.</exception>
    public async Task<double> RunAsync(TrialContext trial, CancellationToken token)
    {
        trial.SetAttribute("trainer", _pipeline.DescribeChoice(trial.Parameters));
        var context = TrialContextFor(_seed, trial.Trial.Id);
        _checkpoints.Release(_budgets.ReleasedCheckpoints);
        var levels = _budgets.Levels(_pipeline, trial.Trial);
        var value = double.NaN;
        TrainingContinuation? previousLevel = null;
        for (var i = 0; i < levels.Count; i++)
        {
            token.ThrowIfCancellationRequested();
            var isLast = i == levels.Count - 1;
            var built = _budgets.Build(_pipeline, context, trial.Trial, levels[i], _checkpoints, previousLevel);
            if (!isLast && built.Continuation is { } resumed && built.Amounts.Any(a => a.Key.CanContinue && a.Value <= resumed.TrainedAmount + 1e-9))
            {
                // The parent's checkpoint is already past this level (a promotion fitted level by level): nothing to train or report.
                continue;
            }

            RecordBuild(trial, built);
            (value, var model) = await FitAndEvaluateAsync(context, built, token).ConfigureAwait(false);
            if (levels[i].Step is int step && trial.Report(step, value) == TrialDecision.Stop)
            {
                throw new TrialPrunedException();
            }

            if (model is not null && !isLast)
            {
                previousLevel = TrialCheckpoints.Capture(trial.Trial.Id, model, built.Amounts);
            }
            else if (model is not null)
            {
                _checkpoints.Keep(trial.Trial.Id, model, built.Amounts);
                _models.Offer(trial.Trial.Id, value, model, trial.Trial.Budget);
            }
        }

        return value;
    }

    /// <summary>The model fitted by <see cref="RunAsync"/> for a trial, while it is the best so far; null otherwise.</summary>
    public ITransformer? KeptModel(int trialId) => _models.ModelOf(trialId);

    /// <summary>The best trial's model: the one kept while it ran, or (after cross-validation, or for the best trial
    /// of an earlier, resumed run) refitted on all training data.</summary>
    public ITransformer? BestModel(TuningTrial? best) => best is null ? null : Fit(best, null, CancellationToken.None);

    /// <summary>A finished trial's configuration fitted again: on the training rows as the trial was (its kept model
    /// when there is one), or from scratch on <paramref name="otherRows"/> (train + validation for a refit), until
    /// <paramref name="token"/> fires.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired before the fit ended.</exception>
    public ITransformer Fit(TuningTrial trial, IDataView? otherRows, CancellationToken token)
    {
        if (otherRows is null && _models.ModelOf(trial.Id) is { } kept)
        {
            return kept;
        }

        var refit = TrialContextFor(_seed, trial.Id);
        var built = _budgets.Build(_pipeline, refit, trial, _budgets.Levels(_pipeline, trial)[^1], otherRows is null ? _checkpoints : null);
        return CancellableTraining.Run(refit, () => built.Estimator.Fit(otherRows ?? TrialBudgets.Subsample(refit, _train, built.DataFraction, _seed)), token);
    }

    private static void RecordBuild(TrialContext trial, BuiltTrial built)
    {
        if (built.Note is not null)
        {
            trial.SetAttribute("budget", built.Note);
        }

        if (built.Continuation is { } from && from.ParentTrialId != trial.Trial.Id)
        {
            trial.SetAttribute(TuningExperiment.ContinuedFromAttribute, from.ParentTrialId.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Fits on the (sub-sampled) training data and measures on the validation set, or averages over the
    /// folds; the model is the fitted model with a validation set, null under cross-validation. Each fit ends when
    /// <paramref name="token"/> fires (<see cref="CancellableTraining"/>).</summary>
    private async Task<(double Value, ITransformer? Model)> FitAndEvaluateAsync(MLContext context, BuiltTrial built, CancellationToken token)
    {
        // Only training is cut: a model trained before the cut is measured and keeps its result.
        double value;
        ITransformer? model = null;
        if (_folds is null)
        {
            model = await CancellableTraining.RunAsync(context, () => built.Estimator.Fit(TrialBudgets.Subsample(context, _train, built.DataFraction, _seed)), token).ConfigureAwait(false);
            value = _metric.Evaluate(context, model.Transform(_validation!), _labelColumnName);
        }
        else
        {
            var values = new List<double>(_folds.Count);
            foreach (var fold in _folds)
            {
                var foldModel = await CancellableTraining.RunAsync(context, () => built.Estimator.Fit(TrialBudgets.Subsample(context, fold.Train, built.DataFraction, _seed)), token).ConfigureAwait(false);
                values.Add(_metric.Evaluate(context, foldModel.Transform(fold.Validation), _labelColumnName));
            }

            value = values.Average();
        }

        if (!double.IsFinite(value))
        {
            // The study would fail the trial anyway; this says why, in the experiment's terms.
            throw new InvalidOperationException($"The validation {_metric.Name} is {value.ToString(CultureInfo.InvariantCulture)}{(built.Note is null ? "" : $" at {built.Note}")}: the model diverged or predicts certainty (probability 0 or 1) for rows it gets wrong. The trial is failed and the experiment goes on; a lower learning rate, gradient clipping or weight decay avoids it.");
        }

        return (value, model);
    }
}
