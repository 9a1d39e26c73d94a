using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// What successive halving, Hyperband and BOHB share: brackets of synchronous successive halving run from a cycle
/// of plans, new configurations drawn by a sampler (uniform, or BOHB's model), promotions carrying their lower-rung
/// trial as <see cref="TrialProposal.ParentTrialId"/>.
/// </summary>
public abstract class BracketTuner : IMultiFidelityTuner
{
    private readonly BracketScheduler _scheduler;

    private protected BracketTuner(HyperparameterSpace space, MultiFidelityOptions options, Func<IReadOnlyList<BracketPlan>> plans, IConfigurationSampler sampler, int? maxBrackets)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        options.ValidateRange();
        MinBudget = options.MinBudget;
        MaxBudget = options.MaxBudget;
        ReductionFactor = options.ReductionFactor;
        Plans = plans();
        Sampler = sampler;
        _scheduler = new BracketScheduler(Plans, sampler, maxBrackets);
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public double MinBudget { get; }

    /// <inheritdoc/>
    public double MaxBudget { get; }

    /// <inheritdoc/>
    public IReadOnlyList<double> RungBudgets => Plans.SelectMany(b => b.Rungs).Select(r => r.Budget).Distinct().Order().ToList();

    /// <inheritdoc/>
    public bool StopsOnReports => false;

    /// <inheritdoc/>
    public bool IsFinished => _scheduler.IsFinished;

    /// <summary>η.</summary>
    internal double ReductionFactor { get; }

    /// <summary>The plan of the first bracket (Hyperband's most aggressive one).</summary>
    internal BracketPlan FirstPlan => Plans[0];

    /// <summary>Where new configurations come from.</summary>
    private protected IConfigurationSampler Sampler { get; }

    /// <summary>The plans the brackets follow, in turn.</summary>
    private protected IReadOnlyList<BracketPlan> Plans { get; }

    /// <inheritdoc/>
    public TrialProposal? Propose(int trialId) => _scheduler.Propose(trialId);

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial) => _scheduler.Complete(trial ?? throw new ArgumentNullException(nameof(trial)));
}
