namespace MLNetTuning.Pipelines;

/// <summary>
/// Where a continuable trainer resumes: the checkpoint of the parent trial (a promotion's lower rung, or the
/// member a PBT interval continues or exploits) and the amount of its budget unit it had trained.
/// </summary>
/// <param name="Checkpoint">The trainer's own checkpoint object, as its <c>checkpointOf</c> function returned it.</param>
/// <param name="TrainedAmount">Epochs (or iterations) the checkpoint has already trained.</param>
/// <param name="ParentTrialId">The trial that produced the checkpoint.</param>
public sealed record TrainingContinuation(object Checkpoint, double TrainedAmount, int ParentTrialId);
