using Microsoft.ML;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>Keeps only the model of the best trial so far (ranked as the study ranks, see <see cref="TrialRanking"/>),
/// so memory stays flat over many trials.</summary>
internal sealed class BestModelKeeper(OptimizationDirection direction, bool rankAcrossBudgets = false)
{
    private readonly object _gate = new();
    private int _trialId = -1;
    private double _loss = double.PositiveInfinity;
    private double? _budget;
    private ITransformer? _model;

    public void Offer(int trialId, double value, ITransformer model, double? budget = null)
    {
        var loss = direction == OptimizationDirection.Maximize ? -value : value;
        lock (_gate)
        {
            if (!double.IsFinite(loss))
            {
                return;
            }

            var better = _model is null
                || TrialRanking.Beats(budget, loss, _budget, _loss, rankAcrossBudgets)
                || (loss == _loss && trialId < _trialId && !TrialRanking.Beats(_budget, _loss, budget, loss, rankAcrossBudgets));
            if (better)
            {
                (_trialId, _loss, _budget, _model) = (trialId, loss, budget, model);
            }
        }
    }

    public ITransformer? ModelOf(int trialId)
    {
        lock (_gate)
        {
            return _trialId == trialId ? _model : null;
        }
    }
}
