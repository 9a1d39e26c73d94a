using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>What proposes the new configurations of a multi-fidelity scheduler.</summary>
public enum ProposalModel
{
    /// <summary>Uniform draws from the space (the schedulers' classic behaviour).</summary>
    Random,

    /// <summary>A <see cref="TpeTuner"/> fitted on the results of one budget; see <see cref="AshaTunerOptions.Model"/>.</summary>
    Tpe,
}

/// <summary>
/// New configurations from a TPE that sees only the results of one budget: the largest budget, at or above
/// <see cref="MinModelBudget"/>, with at least <see cref="MinPoints"/> results (the rule of BOHB, with TPE as the
/// model). Results at different budgets measure different things, so each budget keeps its own TPE; before any
/// budget has enough results, draws are uniform.
/// </summary>
/// <remarks>The model of a high budget sees only the configurations promoted to it, not those its own proposals
/// lost at the lower rungs: TPE, which samples around its best results, copes; an expected-improvement model that
/// explores away from them kept proposing far-off configurations in our trials, so the GP is not offered here.</remarks>
internal sealed class ModelConfigurationSampler : IConfigurationSampler
{
    private readonly HyperparameterSpace _space;
    private readonly int _seed;
    private readonly UniformConfigurationSampler _uniform;
    private readonly SortedDictionary<double, (IHyperparameterTuner Tuner, int Count)> _byBudget = [];
    private readonly Dictionary<int, double> _proposedAt = [];

    public ModelConfigurationSampler(HyperparameterSpace space, int seed)
    {
        _space = space;
        _seed = seed;
        _uniform = new UniformConfigurationSampler(space, seed);
        MinPoints = Math.Max(4, space.Dimension + 2);
    }

    /// <summary>Results a budget needs before its model proposes.</summary>
    public int MinPoints { get; }

    /// <summary>Budgets below this one are not modelled (a scheduler sets it when it stops trusting low rungs).</summary>
    public double MinModelBudget { get; set; } = double.NegativeInfinity;

    /// <summary>The budget a proposal would be modelled on now, or null while proposals are uniform.</summary>
    public double? ModelBudget => _byBudget.Reverse()
        .Where(kv => kv.Key >= MinModelBudget && kv.Value.Count >= MinPoints)
        .Select(kv => (double?)kv.Key).FirstOrDefault();

    public TrialParameters Sample(int trialId)
    {
        if (_space.Dimension == 0 || ModelBudget is not double budget)
        {
            return _uniform.Sample(trialId);
        }

        // The model counts the proposal as running (a constant liar spreads parallel proposals) until it ends.
        _proposedAt[trialId] = budget;
        return _byBudget[budget].Tuner.Propose(trialId)?.Parameters ?? _uniform.Sample(trialId);
    }

    public void Observe(TuningTrial trial)
    {
        if (_proposedAt.Remove(trial.Id, out var proposedAt) && trial.Budget != proposedAt)
        {
            // It ran at another budget: the proposing model forgets it as a failed trial would be forgotten.
            var forget = new TuningTrial(trial.Id, trial.Parameters, proposedAt) { State = TrialState.Failed };
            _byBudget[proposedAt].Tuner.Complete(forget);
        }

        if (trial.Budget is not double budget || trial.State == TrialState.Running)
        {
            return;
        }

        var (tuner, count) = _byBudget.TryGetValue(budget, out var entry) ? entry : (Create(budget), 0);
        tuner.Complete(trial);
        var counts = trial.State is TrialState.Completed or TrialState.Pruned && trial.Loss is double loss && double.IsFinite(loss);
        _byBudget[budget] = (tuner, count + (counts ? 1 : 0));
    }

    private TpeTuner Create(double budget) =>
        new(_space, new TpeTunerOptions { Seed = SeedMixer.Mix(_seed, BitConverter.DoubleToInt64Bits(budget)), StartupTrials = MinPoints });
}
