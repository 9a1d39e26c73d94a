using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// What <c>tune --tuner pbt</c> needs, checked before any trial: one validation set (a member continues one model),
/// one process (checkpoints are kept in memory), and trainers that continue from checkpoints.
/// </summary>
internal static class PbtSettings
{
    /// <summary>The settings a PBT run uses: without --trainers, the task's continuable trainers; without --trials,
    /// enough trials for every member to reach the full budget.</summary>
    /// <exception cref="CliException">--cv, --create-only, or a trainer that cannot continue (the message names the ones that can).</exception>
    public static TuneSettings Check(TuneSettings settings, TuningCatalog catalog, TuningTask task, bool createOnly, bool trialsGiven)
    {
        if (settings.CrossValidationFolds is not null)
        {
            throw new CliException("PBT cannot cross-validate (--cv): a member continues one model, which cross-validation does not have. Use --validation-fraction or --validation-data.");
        }

        if (createOnly)
        {
            throw new CliException("PBT cannot run in 'worker' processes (--create-only): its members continue from checkpoints kept in the process that trains them. Run 'tune --tuner pbt' itself, with --parallel for several trials at once.");
        }

        var continuable = Continuable(catalog, task);
        var trainers = settings.Trainers.Count == 0 ? continuable : settings.Trainers;
        var fixedOnly = trainers.FirstOrDefault(name => TrainerNames.Known(catalog, task).Contains(name, StringComparer.OrdinalIgnoreCase) && !continuable.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (fixedOnly is not null)
        {
            throw new CliException($"PBT continues each member from its parent's checkpoint, and '{fixedOnly}' cannot continue training. Trainers of {TaskNames.Name(task)} that can: {string.Join(", ", continuable)}.");
        }

        var options = TunerNames.PbtOptions(settings.MinBudget, settings.MaxBudget);
        var intervals = (int)Math.Ceiling((options.MaxBudget / options.PerturbationInterval) - 1e-9);
        return settings with
        {
            Trainers = trainers,
            Trials = trialsGiven ? settings.Trials : options.PopulationSize * intervals,
        };
    }

    /// <summary>The task's presets that continue from checkpoints (the networks, the online linear trainers).</summary>
    public static IReadOnlyList<string> Continuable(TuningCatalog catalog, TuningTask task) => TrainerNames.Known(catalog, task)
        .Where(name => TrainerNames.Resolve(catalog, task, [name], PreparedData.LabelColumn, PreparedData.FeaturesColumn).Single().CanContinue)
        .ToList();
}
