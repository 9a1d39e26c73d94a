namespace MLNetTuning.Studies;

/// <summary>The outcome of a study run.</summary>
public sealed class StudyResult
{
    internal StudyResult(IReadOnlyList<TuningTrial> trials, TuningTrial? bestTrial, StudyStopReason stopReason, TimeSpan elapsed, IReadOnlyList<string>? warnings = null)
    {
        Warnings = warnings ?? [];
        Trials = trials;
        BestTrial = bestTrial;
        StopReason = stopReason;
        Elapsed = elapsed;
    }

    /// <summary>Every trial of the study, by id (earlier runs of a reopened study included).</summary>
    public IReadOnlyList<TuningTrial> Trials { get; }

    /// <summary>The completed trial with the best value, or null when none completed.</summary>
    public TuningTrial? BestTrial { get; }

    /// <summary>Warnings the run gave (also written to <c>MLContext.Log</c>): e.g. a trial cap that cannot finish one
    /// bracket of a multi-fidelity tuner.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Why the run ended.</summary>
    public StudyStopReason StopReason { get; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Completed trials.</summary>
    public int CompletedCount => Trials.Count(t => t.State == TrialState.Completed);

    /// <summary>Failed trials.</summary>
    public int FailedCount => Trials.Count(t => t.State == TrialState.Failed);

    /// <summary>Pruned trials.</summary>
    public int PrunedCount => Trials.Count(t => t.State == TrialState.Pruned);

    /// <summary>True when trials ran and every one of them failed.</summary>
    public bool AllFailed => Trials.Count > 0 && Trials.All(t => t.State == TrialState.Failed);

    /// <summary>The error of the first failed trial, or null.</summary>
    public string? FirstError => Trials.FirstOrDefault(t => t.State == TrialState.Failed)?.Error;

    /// <inheritdoc/>
    public override string ToString() => AllFailed
        ? $"All {Trials.Count} trials failed; the first error: {FirstError}"
        : $"{Trials.Count} trials ({CompletedCount} completed, {PrunedCount} pruned, {FailedCount} failed), stopped by {StopReason}; best: {BestTrial?.ToString() ?? "none"}";
}

/// <summary>Data of a trial event.</summary>
public sealed class TrialEventArgs : EventArgs
{
    internal TrialEventArgs(TuningTrial trial) => Trial = trial;

    /// <summary>The trial.</summary>
    public TuningTrial Trial { get; }
}
