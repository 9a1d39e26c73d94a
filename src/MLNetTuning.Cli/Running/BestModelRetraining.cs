using Microsoft.ML;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using Spectre.Console;

namespace MLNetTuning.Cli.Running;

/// <summary>The wrap-up's training of a best trial whose model this process does not hold.</summary>
internal static class BestModelRetraining
{
    /// <summary>Trains the best trial's configuration again when its model is not in this process (an earlier run or
    /// another worker trained it): said first, since it takes about as long as that trial did and the time budget is
    /// spent; Ctrl+C stops it, and then no model is written (null).</summary>
    public static ITransformer? Run(TuneSettings settings, PreparedData prepared, TuningTrial best, ExperimentTrialRunner? budgetedRunner, string modelPath, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            console.MarkupLineInterpolated($"Trial {best.Id} ran in an earlier run or on another worker, so its model is not in this process: training it again for {modelPath}.");
            try
            {
                if (budgetedRunner is not null)
                {
                    return budgetedRunner.Fit(best, null, cancellationToken);
                }

                var context = new MLContext(SeedMixer.Mix(settings.Seed, best.Id));
                return CancellableTraining.Run(context, () => prepared.Pipeline.Build(context, best.Parameters).Fit(prepared.Train), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        console.MarkupLineInterpolated($"[yellow]Trial {best.Id}'s model was not trained again (cancelled): {modelPath} is not written.[/]");
        return null;
    }
}
