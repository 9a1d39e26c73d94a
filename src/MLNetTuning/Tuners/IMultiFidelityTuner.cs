namespace MLNetTuning.Tuners;

/// <summary>
/// A tuner that decides budgets: every proposal carries a <see cref="TrialProposal.Budget"/> in
/// [<see cref="MinBudget"/>, <see cref="MaxBudget"/>], in abstract units the objective (or an experiment's
/// trainer) turns into epochs, trees or a fraction of the data.
/// </summary>
public interface IMultiFidelityTuner : IHyperparameterTuner
{
    /// <summary>The smallest budget a trial is given.</summary>
    double MinBudget { get; }

    /// <summary>The full budget.</summary>
    double MaxBudget { get; }
}
