using Microsoft.ML;
using MLNetTuning.Pruners;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>One fit of a trial: where on the estimators' budget ranges to train (0 = minimum, 1 = maximum; null:
/// no budget), and the step to report its value as (null: no report).</summary>
internal readonly record struct TrialLevel(double? Position, int? Step, double? Amount = null);

/// <summary>A trial's pipeline built at one level.</summary>
/// <param name="Estimator">The pipeline to fit.</param>
/// <param name="DataFraction">The share of training rows to fit on.</param>
/// <param name="Note">E.g. "FastTree: 37 trees"; null without budgets.</param>
/// <param name="Amounts">Each budgeted estimator's amount of its unit.</param>
/// <param name="Continuation">The checkpoint a continuable trainer resumes from (the parent's, or the previous
/// level's), or null when it trains from scratch.</param>
internal sealed record BuiltTrial(IEstimator<ITransformer> Estimator, double DataFraction, string? Note, IReadOnlyDictionary<TunableEstimator, double> Amounts, TrainingContinuation? Continuation);

/// <summary>
/// Turns a trial's abstract budget into each chosen estimator's own unit (trees, iterations, a data fraction,
/// epochs) when an experiment builds the trial's pipeline; estimators of one choice may use different units.
/// When the tuner judges intermediate reports (a pruner, ASHA's stopping mode), a trial whose trainer cannot
/// report while it trains is fitted at increasing budgets in turn, each reported as a step.
/// </summary>
internal sealed class TrialBudgets
{
    /// <summary>Fits per trial for a pruned single-fidelity tuner and an estimator with a budget.</summary>
    private const int UnbudgetedLevels = 4;

    private readonly IMultiFidelityTuner? _tuner;
    private readonly PbtTuner? _pbt;
    private readonly string _tunerName;
    private readonly bool _reports;
    private readonly Action<string>? _log;
    private readonly HashSet<string> _logged = [];

    /// <param name="tuner">The experiment's tuner.</param>
    /// <param name="log">Where to say, once per trainer, how the tuner's budget range maps onto the trainer's unit.</param>
    public TrialBudgets(IHyperparameterTuner tuner, Action<string>? log = null)
    {
        _log = log;
        var inner = tuner is PrunedTuner pruned ? pruned.Inner : tuner;
        _tuner = inner as IMultiFidelityTuner;
        _pbt = inner as PbtTuner;
        _tunerName = inner.GetType().Name;
        _reports = tuner is PrunedTuner || _tuner?.StopsOnReports == true;
    }

    /// <summary>The fits of a trial, smallest first; the last is the trial's own budget.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The trial's budget is outside the tuner's range.</exception>
    public IReadOnlyList<TrialLevel> Levels(TunablePipeline pipeline, TuningTrial trial)
    {
        if (trial.Budget is double pbtBudget && _pbt is not null)
        {
            // PBT's budgets are amounts of the trainer's unit (epochs) already: one fit up to it.
            return [new TrialLevel(null, (int)Math.Ceiling(pbtBudget - 1e-9), pbtBudget)];
        }

        if (trial.Budget is double budget)
        {
            var position = PositionOf(budget, trial.Id);
            if (!_reports)
            {
                // One fit, its value also kept as the intermediate value at the budget, for learning curves across rungs.
                return [new TrialLevel(position, (int)Math.Ceiling(budget - 1e-9))];
            }

            return _tuner!.RungBudgets.Where(r => r < budget * (1 - 1e-9))
                .Select(r => new TrialLevel(PositionOf(r, trial.Id), (int)Math.Ceiling(r - 1e-9)))
                .Append(new TrialLevel(position, (int)Math.Ceiling(budget - 1e-9)))
                .ToList();
        }

        if (!_reports)
        {
            return [new TrialLevel(null, null)];
        }

        // Building (not fitting) the chain is the simplest way to learn which estimators the parameters choose.
        var budgeted = false;
        _ = pipeline.Build(new MLContext(0), trial.Parameters, (tunable, parameters) =>
        {
            budgeted |= tunable.Budget is not null;
            return parameters;
        });
        if (!budgeted)
        {
            return [new TrialLevel(null, null)];
        }

        return Enumerable.Range(0, UnbudgetedLevels).Select(k => new TrialLevel(k / (UnbudgetedLevels - 1.0), k + 1)).ToList();
    }

    /// <summary>Whether the tuner gives trials budgets (multi-fidelity tuners and PBT, pruned or not).</summary>
    public static bool SetsBudgets(IHyperparameterTuner tuner)
    {
        var inner = tuner is PrunedTuner pruned ? pruned.Inner : tuner;
        return inner is IMultiFidelityTuner or PbtTuner;
    }

    /// <summary>Population-based training, which needs trainers that continue from checkpoints.</summary>
    public bool IsPopulationBased => _pbt is not null;

    /// <summary>Checkpoints PBT no longer needs; empty for other tuners.</summary>
    public IReadOnlyCollection<int> ReleasedCheckpoints => _pbt?.ReleasedCheckpointTrialIds ?? [];

    /// <summary>Builds the pipeline of a trial at one level.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="context">The trial's context.</param>
    /// <param name="trial">The trial.</param>
    /// <param name="level">Where on the budget ranges to train.</param>
    /// <param name="checkpoints">Checkpoints by trial, for a trial continuing its parent's (null: train from scratch).</param>
    /// <param name="previousLevel">The checkpoint of this trial's previous level: a continuable trainer resumes from
    /// it instead of the parent's, so a trial fitted level by level trains each epoch once.</param>
    public BuiltTrial Build(TunablePipeline pipeline, MLContext context, TuningTrial trial, TrialLevel level, TrialCheckpoints? checkpoints = null, TrainingContinuation? previousLevel = null)
    {
        var fraction = 1.0;
        var notes = new List<string>();
        var amounts = new Dictionary<TunableEstimator, double>();
        TrainingContinuation? used = null;
        var estimator = pipeline.Build(context, trial.Parameters, (tunable, parameters) =>
        {
            // With a tuner budget every estimator trains by its (default or chosen) unit; without one, only an
            // estimator whose budget was chosen does, at its maximum unless a pruner's levels say otherwise.
            var budget = trial.Budget is not null ? tunable.EffectiveBudget : tunable.Budget;
            if (budget is null)
            {
                return parameters;
            }

            if (trial.Budget is not null && level.Amount is null)
            {
                LogRangeOnce(tunable, budget);
            }

            var amount = level.Amount ?? budget.AmountAt(level.Position ?? 1);
            amounts[tunable] = amount;
            var training = budget.Unit.Apply(new BudgetRequest(parameters, amount, trial.Id, trial.ParentTrialId, budget.Maximum));
            if (!(training.DataFraction is > 0 and <= 1))
            {
                throw new InvalidOperationException($"The budget unit '{budget.Unit.Name}' of '{tunable.Name}' asked for a data fraction of {training.DataFraction}; it must be in (0, 1].");
            }

            fraction = Math.Min(fraction, training.DataFraction);
            notes.Add($"{tunable.Name}: {budget.Unit.Describe(amount)}");
            return training.Parameters;
        }, tunable =>
        {
            var continuation = tunable.CanContinue && previousLevel is not null ? previousLevel : ContinuationOf(tunable, trial, checkpoints);
            used ??= continuation;
            return continuation;
        });
        return new BuiltTrial(estimator, fraction, notes.Count > 0 ? string.Join("; ", notes) : null, amounts, used);
    }

    /// <summary>Says once per trainer how the tuner's budgets become amounts of its unit: "FastTree: trees 10–200 for
    /// tuner budget 1–81", so that a rescaled range (the tuner's 27 as 100 epochs) is not a surprise.</summary>
    private void LogRangeOnce(TunableEstimator tunable, TrainingBudget budget)
    {
        if (_log is null || _tuner is null)
        {
            return;
        }

        lock (_logged)
        {
            if (!_logged.Add(tunable.Name))
            {
                return;
            }
        }

        static string N(double x) => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        var origin = tunable.Budget is null ? $" (the unit's default range; choose it with WithBudget(\"{budget.Unit.Name}\", min, max))" : " (set by WithBudget)";
        _log($"{tunable.Name}: {budget.Unit.Name} {N(budget.Minimum)}–{N(budget.Maximum)} for tuner budget {N(_tuner.MinBudget)}–{N(_tuner.MaxBudget)}, on a log scale{origin}.");
    }

    /// <summary>The checkpoint of the trial's parent when its trainer continues from it; null otherwise.</summary>
    private TrainingContinuation? ContinuationOf(TunableEstimator tunable, TuningTrial trial, TrialCheckpoints? checkpoints)
    {
        if (!tunable.CanContinue || trial.ParentTrialId is not int parent || checkpoints is null)
        {
            return null;
        }

        var found = checkpoints.Find(parent);
        if (found is null && _pbt is not null)
        {
            throw new InvalidOperationException($"Trial {trial.Id} continues from trial {parent}, whose checkpoint is not kept (it failed, or ran in another process); population-based training cannot go on without it.");
        }

        // A promotion without its parent's checkpoint (an earlier process) trains again from the start.
        return found;
    }

    /// <summary>A random share of the rows; with one seed, a larger share contains a smaller one.</summary>
    public static IDataView Subsample(MLContext context, IDataView data, double fraction, int seed) =>
        fraction >= 1 - 1e-9 ? data : context.Data.TrainTestSplit(data, 1 - fraction, seed: seed).TrainSet;

    /// <summary>Where a tuner budget lies on the tuner's range, from 0 (min) to 1 (max) on a log scale.</summary>
    private double PositionOf(double budget, int trialId)
    {
        if (_tuner is null)
        {
            throw new InvalidOperationException($"Trial {trialId} has budget {budget}, but the tuner {_tunerName} does not declare a budget range (IMultiFidelityTuner).");
        }

        return TrainingBudget.PositionOf(budget, _tuner.MinBudget, _tuner.MaxBudget);
    }
}
