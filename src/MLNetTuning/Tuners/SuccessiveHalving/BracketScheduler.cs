using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// Runs successive-halving brackets from a cycle of plans (one plan: successive halving; Hyperband's plans:
/// Hyperband). Brackets run one after another; when every open bracket waits for running trials (parallel
/// trials), the next bracket starts rather than leaving a worker idle. With one trial at a time this never
/// happens, so a sequential run follows the paper's order exactly.
/// </summary>
internal sealed class BracketScheduler
{
    private readonly IReadOnlyList<BracketPlan> _plans;
    private readonly IConfigurationSampler _sampler;
    private readonly int? _maxBrackets;
    private readonly List<SuccessiveHalvingBracket> _open = [];
    private int _started;

    public BracketScheduler(IReadOnlyList<BracketPlan> plans, IConfigurationSampler sampler, int? maxBrackets)
    {
        _plans = plans;
        _sampler = sampler;
        _maxBrackets = maxBrackets;
    }

    public bool IsFinished => _maxBrackets is int max && _started >= max && _open.Count == 0;

    public TrialProposal? Propose(int trialId)
    {
        foreach (var bracket in _open)
        {
            if (bracket.TryPropose(trialId, _sampler.Sample) is { } proposal)
            {
                return proposal;
            }
        }

        if (_maxBrackets is int max && _started >= max)
        {
            return null;
        }

        var next = new SuccessiveHalvingBracket(_started, _plans[_started % _plans.Count]);
        _started++;
        _open.Add(next);
        return next.TryPropose(trialId, _sampler.Sample);
    }

    public void Complete(TuningTrial trial)
    {
        _sampler.Observe(trial);
        var bracket = _open.FirstOrDefault(b => b.Owns(trial.Id)) ?? Adopt(trial);
        if (bracket is null)
        {
            return;
        }

        bracket.Complete(trial.Id, Fidelity.RankingLoss(trial));
        if (bracket.IsFinished)
        {
            _open.Remove(bracket);
        }
    }

    /// <summary>
    /// Puts a replayed trial of an earlier run (a reopened study) back into its bracket and rung, from its
    /// "bracket" and "rung" attributes, so that the run goes on where it stopped. Brackets are rebuilt in their
    /// numbering; a trial without the attributes (another tuner's) or that no longer fits (an earlier run with other
    /// options) only teaches the sampler.
    /// </summary>
    private SuccessiveHalvingBracket? Adopt(TuningTrial trial)
    {
        if (!Fidelity.TryReadPosition(trial, out var number, out var rung) || number < 0)
        {
            return null;
        }

        while (_started <= number && (_maxBrackets is not int max || _started < max))
        {
            _open.Add(new SuccessiveHalvingBracket(_started, _plans[_started % _plans.Count]));
            _started++;
        }

        var bracket = _open.FirstOrDefault(b => b.Number == number);
        return bracket is not null && bracket.TryAdopt(trial.Id, rung, trial.Parameters, trial.ParentTrialId) ? bracket : null;
    }
}
