using MLNetTuning.Storage;

namespace MLNetTuning.Transfer;

/// <summary>How <see cref="Studies.TuningStudy.WarmStartFrom(StoredStudy, WarmStartOptions?)"/> carries an earlier study over.</summary>
public sealed class WarmStartOptions
{
    /// <summary>The store holding the source study; the new study's own store when null.</summary>
    public ITrialStore? SourceStore { get; set; }

    /// <summary>How many of the source's best completed trials are enqueued and re-evaluated first. Default 5.</summary>
    public int TopK { get; set; } = 5;

    /// <summary>How many more source trials, at evenly spaced ranks below the top k, are re-evaluated too, so that the
    /// guard sees the source's whole range and not only its (look-alike) best. Default 3.</summary>
    public int SpreadTrials { get; set; } = 3;

    /// <summary>The weight of one source trial in a model-based tuner's prior before the new study has own trials
    /// (an own trial weighs 1); 0 for no prior. Default 1.</summary>
    public double PriorWeight { get; set; } = 1.0;

    /// <summary>The number of own finished trials after which a prior observation weighs half as much. Default 10.</summary>
    public double PriorHalfLife { get; set; } = 10;

    /// <summary>The guard keeps the prior only if the Spearman rank correlation between the re-evaluated trials' old and
    /// new values is at least this. Default 0.3.</summary>
    public double GuardMinCorrelation { get; set; } = 0.3;

    /// <summary>The guard switches the prior off unless at least this many re-evaluated trials completed. Default 6.</summary>
    public int GuardMinTrials { get; set; } = 6;

    /// <summary>Whether, after the guard kept the prior, its weight follows how well the source keeps predicting this
    /// study's own trials (<see cref="WarmStartPrior.Trust"/>: the share of bootstrap resamples in which the source ranks
    /// them better than their own nearest neighbours do). Default true.</summary>
    public bool PriorReweighting { get; set; } = true;

    /// <summary>Receives every message (what was clipped or dropped, the guard's decision); they are also in <see cref="WarmStart.Messages"/>.</summary>
    public Action<string>? Log { get; set; }
}
