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

    /// <summary>The budgets trials are judged at (the rungs), ascending, <see cref="MaxBudget"/> last.</summary>
    IReadOnlyList<double> RungBudgets { get; }

    /// <summary>True when the tuner stops trials on intermediate reports (ASHA's stopping mode): a trainer that
    /// cannot report while it trains is then trained at each rung budget in turn, reporting each.</summary>
    bool StopsOnReports { get; }
}
