using Microsoft.ML;
using MLNetTuning.Pruners;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Turns a trial's abstract budget into each chosen estimator's own unit (trees, iterations, a data fraction,
/// epochs) when an experiment builds the trial's pipeline. Estimators of one choice may use different units.
/// </summary>
internal sealed class TrialBudgets
{
    private readonly IMultiFidelityTuner? _tuner;
    private readonly string _tunerName;

    public TrialBudgets(IHyperparameterTuner tuner)
    {
        var inner = tuner is PrunedTuner pruned ? pruned.Inner : tuner;
        _tuner = inner as IMultiFidelityTuner;
        _tunerName = inner.GetType().Name;
    }

    /// <summary>Builds the pipeline for a trial with its budget applied.</summary>
    /// <returns>The estimator, the share of training rows to fit on, and a note such as "FastTree: 37 trees" (null without budgets).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The trial's budget is outside the tuner's range.</exception>
    public (IEstimator<ITransformer> Estimator, double DataFraction, string? Note) Build(TunablePipeline pipeline, MLContext context, TuningTrial trial)
    {
        var fraction = 1.0;
        var notes = new List<string>();
        var estimator = pipeline.Build(context, trial.Parameters, (tunable, parameters) =>
        {
            TrainingBudget budget;
            double amount;
            if (trial.Budget is double proposed)
            {
                if (_tuner is null)
                {
                    throw new InvalidOperationException($"Trial {trial.Id} has budget {proposed}, but the tuner {_tunerName} does not declare a budget range (IMultiFidelityTuner).");
                }

                budget = tunable.EffectiveBudget;
                amount = budget.AmountFor(proposed, _tuner.MinBudget, _tuner.MaxBudget);
            }
            else if (tunable.Budget is { } chosen)
            {
                // A single-fidelity tuner trains a budgeted estimator at its full budget.
                budget = chosen;
                amount = chosen.Maximum;
            }
            else
            {
                return parameters;
            }

            var training = budget.Unit.Apply(new BudgetRequest(parameters, amount, trial.Id, trial.ParentTrialId));
            if (!(training.DataFraction is > 0 and <= 1))
            {
                throw new InvalidOperationException($"The budget unit '{budget.Unit.Name}' of '{tunable.Name}' asked for a data fraction of {training.DataFraction}; it must be in (0, 1].");
            }

            fraction = Math.Min(fraction, training.DataFraction);
            notes.Add($"{tunable.Name}: {budget.Unit.Describe(amount)}");
            return training.Parameters;
        });
        return (estimator, fraction, notes.Count > 0 ? string.Join("; ", notes) : null);
    }

    /// <summary>A random share of the rows; with one seed, a larger share contains a smaller one.</summary>
    public static IDataView Subsample(MLContext context, IDataView data, double fraction, int seed) =>
        fraction >= 1 - 1e-9 ? data : context.Data.TrainTestSplit(data, 1 - fraction, seed: seed).TrainSet;
}
