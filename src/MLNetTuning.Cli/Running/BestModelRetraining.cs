using Microsoft.ML;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
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
                return budgetedRunner?.Fit(best, null, cancellationToken) ?? prepared.Fit(settings.Seed, best, null, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        console.MarkupLineInterpolated($"[yellow]Trial {best.Id}'s model was not trained again (cancelled): {modelPath} is not written.[/]");
        return null;
    }
}
