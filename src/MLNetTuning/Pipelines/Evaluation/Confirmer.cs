using Microsoft.ML;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pipelines;

/// <summary>Scores the study's top trials once on the test rows, after the study, with bootstrap intervals.</summary>
internal static class Confirmer
{
    /// <summary>Confirms the best <c>options.ConfirmTopTrials</c> completed trials; <c>fitTrial</c> fits a trial's
    /// configuration on the training rows as the trial was (null rows) or on the given rows; <c>refitRows</c> are
    /// train + validation for the refit, or null to keep the training-rows model. Returns the confirmation and the
    /// best trial's refitted model.</summary>
    public static (TuningConfirmation Confirmation, ITransformer BestModel) Run(
        TuningTrial best, IReadOnlyList<TuningTrial> trials, TuningMetric metric, string labelColumnName, Func<TuningTrial, IDataView?, ITransformer> fitTrial, IDataView test, IDataView? refitRows, TuningExperimentOptions options, int seed, CancellationToken token)
    {
        var ranked = new[] { best }
            .Concat(trials.Where(t => t.State == TrialState.Completed && t.Id != best.Id && t.Value is not null).OrderBy(t => t.Loss).ThenBy(t => t.Id))
            .Take(options.ConfirmTopTrials)
            .ToList();
        var confirmed = new List<ConfirmedTrial>(ranked.Count);
        ITransformer? bestModel = null;
        var testRows = 0;
        foreach (var trial in ranked)
        {
            token.ThrowIfCancellationRequested();
            var trainOnly = fitTrial(trial, null);
            var trainOnlyTest = Score(trainOnly, trial.Id, 0, out testRows);
            var refitted = trainOnly;
            var refittedTest = trainOnlyTest;
            if (refitRows is not null)
            {
                refitted = fitTrial(trial, refitRows);
                refittedTest = Score(refitted, trial.Id, 1, out _);
            }

            var validation = trial.Value!.Value;
            var optimism = metric.Direction == OptimizationDirection.Maximize ? validation - trainOnlyTest.Value : trainOnlyTest.Value - validation;
            confirmed.Add(new ConfirmedTrial(trial.Id, trial.Attributes.GetValueOrDefault("trainer"), validation, trainOnlyTest, refittedTest, optimism, trainOnly, refitted));
            bestModel ??= refitted;
        }

        return (new TuningConfirmation(metric.Name, trials.Count, testRows, refitRows is not null, options.ConfidenceLevel, options.BootstrapResamples, confirmed), bestModel!);

        MetricEstimate Score(ITransformer model, int trialId, int which, out int rows)
        {
            var context = new MLContext(SeedMixer.Mix(seed, trialId));
            var scored = model.Transform(test);
            var value = metric.Evaluate(context, scored, labelColumnName);
            var sample = ScoredRows.Read(metric, scored, labelColumnName);
            rows = sample.Count;

            // One seed per experiment and trial, so a confirmation is reproducible.
            var (low, high) = BootstrapInterval.Percentile(sample.Count, sample.Strata, sample.Evaluate, options.BootstrapResamples, options.ConfidenceLevel, SeedMixer.Mix(seed, (trialId * 2) + which));
            return new MetricEstimate(value, low, high);
        }
    }
}
