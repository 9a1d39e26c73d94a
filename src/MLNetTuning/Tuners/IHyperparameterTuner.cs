using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// Proposes trials and learns from their results. Tuners minimise: the study hands them
/// <see cref="TuningTrial.Loss"/>, the metric turned so that lower is better.
/// </summary>
/// <remarks>
/// <para>The study calls every member under one lock, so a tuner needs no locking of its own.</para>
/// <para>Several <see cref="Propose"/> calls may come before any completion (parallel trials); a tuner that
/// models results treats the running trials as pending.</para>
/// <para>A tuner must accept <see cref="Complete"/> for trials it never proposed: reopening a stored study
/// rebuilds the tuner by replaying the history.</para>
/// </remarks>
public interface IHyperparameterTuner
{
    /// <summary>The space the tuner proposes from.</summary>
    HyperparameterSpace Space { get; }

    /// <summary>True once the tuner will never propose again (a grid that is exhausted, a schedule that is done).</summary>
    bool IsFinished { get; }

    /// <summary>Proposes the next trial, which the study will run with id <paramref name="trialId"/>.</summary>
    /// <returns>The proposal, or null when there is nothing to propose now (see <see cref="IsFinished"/>;
    /// a multi-fidelity tuner may wait for running trials).</returns>
    TrialProposal? Propose(int trialId);

    /// <summary>An intermediate result of a running trial.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="step">The step (epoch, iteration, budget unit) the value was measured at.</param>
    /// <param name="loss">The value, lower is better.</param>
    /// <returns>Whether the trial should go on.</returns>
    TrialDecision Report(TuningTrial trial, int step, double loss);

    /// <summary>A trial has ended: completed, pruned or failed (see <see cref="TuningTrial.State"/>).</summary>
    void Complete(TuningTrial trial);

    /// <summary>
    /// Another worker of a shared study is running this trial; its end comes later through <see cref="Complete"/>.
    /// A tuner that must not propose the same point twice (a grid) or that treats running trials as pending
    /// (TPE's constant liar) takes note; the default ignores it.
    /// </summary>
    void ObserveRunning(TuningTrial trial)
    {
    }
}

/// <summary>A tuner's answer to an intermediate report.</summary>
public enum TrialDecision
{
    /// <summary>Go on training.</summary>
    Continue,

    /// <summary>Stop now: the trial is pruned, or its rung is done.</summary>
    Stop,
}

/// <summary>What a tuner proposes: parameters and, for multi-fidelity and population-based tuners, a budget and a parent.</summary>
/// <param name="Parameters">The hyperparameters to try.</param>
/// <param name="Budget">How much to train (epochs, trees, data fraction), or null for a single-fidelity tuner.</param>
/// <param name="ParentTrialId">A trial whose checkpoint this one continues from (promotion, exploit), or null.</param>
public sealed record TrialProposal(TrialParameters Parameters, double? Budget = null, int? ParentTrialId = null)
{
    /// <summary>Notes the tuner keeps with the trial (bracket, rung, perturbation), stored and shown with it.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}
