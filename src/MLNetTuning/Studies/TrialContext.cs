using MLNetTuning.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>What an objective gets for one trial: its parameters, budget, a way to report progress, and cancellation.</summary>
public sealed class TrialContext
{
    private readonly TuningStudy _study;

    internal TrialContext(TuningStudy study, TuningTrial trial, CancellationToken cancellationToken)
    {
        _study = study;
        Trial = trial;
        CancellationToken = cancellationToken;
    }

    /// <summary>The trial.</summary>
    public TuningTrial Trial { get; }

    /// <summary>The proposed hyperparameters.</summary>
    public TrialParameters Parameters => Trial.Parameters;

    /// <summary>The trial's budget, or null when single-fidelity.</summary>
    public double? Budget => Trial.Budget;

    /// <summary>Cancelled when the study is cancelled or its time budget runs out.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Reports an intermediate value (as the user knows the metric). Stop training when the answer is <see cref="TrialDecision.Stop"/>.</summary>
    public TrialDecision Report(int step, double value) => _study.Report(Trial, step, value);

    /// <summary>Keeps a note with the trial (e.g. the trainer's name).</summary>
    public void SetAttribute(string key, string value) => _study.SetAttribute(Trial, key, value);
}

/// <summary>Thrown by an objective to end its trial as pruned after a <see cref="TrialDecision.Stop"/>.</summary>
public sealed class TrialPrunedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrialPrunedException()
        : base("The trial was pruned.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrialPrunedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TrialPrunedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
