using Microsoft.ML;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>Scores the study's top trials once on the test rows, after the study, with bootstrap intervals.</summary>
internal static class Confirmer
{
    /// <summary>Confirms the best <c>options.ConfirmTopTrials</c> completed trials; <c>fitTrial</c> fits a trial's
    /// configuration on the training rows as the trial was (null rows) or on the given rows, until its token fires;
    /// <c>refitRows</c> are train + validation for the refit, or null to keep the training-rows model. Returns the
    /// confirmation and the best trial's refitted model.</summary>
    /// <remarks>The confirmation belongs to the run's time budget: training for it stops at <paramref name="deadline"/>
    /// (the end of training), and the bootstrap stops resampling at <paramref name="budgetEnd"/> (the budget's end;
    /// <see cref="TuningConfirmation.Resamples"/> then says how many it made). The best trial is always scored, with the model the study kept; a refit the deadline cuts
    /// is given up (the confirmation then reports the training-rows models, <see cref="TuningConfirmation.RefitOnTrainAndValidation"/>
    /// false), and the trials not confirmed by then are left out.</remarks>
    public static (TuningConfirmation Confirmation, ITransformer BestModel) Run(
        TuningTrial best, IReadOnlyList<TuningTrial> trials, TuningMetric metric, string labelColumnName, Func<TuningTrial, IDataView?, CancellationToken, ITransformer> fitTrial, IDataView test, IDataView? refitRows, TuningExperimentOptions options, int seed, CancellationToken token, CancellationToken deadline = default, CancellationToken budgetEnd = default)
    {
        var ranked = new[] { best }
            .Concat(trials.Where(t => t.State == TrialState.Completed && t.Id != best.Id && t.Value is not null).OrderBy(t => t.Loss).ThenBy(t => t.Id))
            .Take(options.ConfirmTopTrials)
            .ToList();
        using var withinBudget = CancellationTokenSource.CreateLinkedTokenSource(token, deadline);
        var refit = refitRows is not null;
        var confirmed = new List<ConfirmedTrial>(ranked.Count);
        var testRows = 0;
        var resamplesMade = options.BootstrapResamples;
        foreach (var trial in ranked)
        {
            token.ThrowIfCancellationRequested();
            var isBest = confirmed.Count == 0;
            ITransformer trainOnly;
            try
            {
                // The best trial's model is usually kept from the study; without one it is trained whatever the time.
                trainOnly = fitTrial(trial, null, isBest ? token : withinBudget.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !token.IsCancellationRequested)
            {
                break;
            }

            ITransformer? refitted = null;
            if (refit)
            {
                try
                {
                    refitted = fitTrial(trial, refitRows, withinBudget.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !token.IsCancellationRequested)
                {
                    if (!isBest)
                    {
                        break;
                    }

                    // No time to refit the best: every confirmed trial is then its training-rows model.
                    refit = false;
                }
            }

            var trainOnlyTest = Score(trainOnly, trial.Id, 0, out testRows);
            var refittedTest = refitted is null ? trainOnlyTest : Score(refitted, trial.Id, 1, out _);
            var validation = trial.Value!.Value;
            var optimism = metric.Direction == OptimizationDirection.Maximize ? validation - trainOnlyTest.Value : trainOnlyTest.Value - validation;
            confirmed.Add(new ConfirmedTrial(trial.Id, trial.Attributes.GetValueOrDefault("trainer"), validation, trainOnlyTest, refittedTest, optimism, trainOnly, refitted ?? trainOnly));
        }

        return (new TuningConfirmation(metric.Name, trials.Count, testRows, refit, options.ConfidenceLevel, resamplesMade, confirmed), confirmed[0].Model);

        MetricEstimate Score(ITransformer model, int trialId, int which, out int rows)
        {
            var context = new MLContext(SeedMixer.Mix(seed, trialId));

            // Cached: the evaluator and the reading of the columns would otherwise each run the model over the rows.
            var scored = context.Data.Cache(model.Transform(test));
            var value = metric.Evaluate(context, scored, labelColumnName);
            var sample = ScoredRows.Read(metric, scored, labelColumnName);
            rows = sample.Count;

            // One seed per experiment and trial, so a confirmation is reproducible.
            var (low, high, made) = BootstrapInterval.Percentile(sample.Count, sample.Strata, sample.Evaluate, options.BootstrapResamples, options.ConfidenceLevel, SeedMixer.Mix(seed, (trialId * 2) + which), budgetEnd);
            resamplesMade = Math.Min(resamplesMade, made);
            return new MetricEstimate(value, low, high);
        }
    }
}
