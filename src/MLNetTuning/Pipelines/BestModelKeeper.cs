using Microsoft.ML;
using MLNetTuning.Studies;

namespace MLNetTuning.Pipelines;

/// <summary>Keeps only the model of the best trial so far, so memory stays flat over many trials.</summary>
internal sealed class BestModelKeeper(OptimizationDirection direction)
{
    private readonly object _gate = new();
    private int _trialId = -1;
    private double _loss = double.PositiveInfinity;
    private ITransformer? _model;

    public void Offer(int trialId, double value, ITransformer model)
    {
        var loss = direction == OptimizationDirection.Maximize ? -value : value;
        lock (_gate)
        {
            if (double.IsFinite(loss) && (loss < _loss || (loss == _loss && trialId < _trialId)))
            {
                (_trialId, _loss, _model) = (trialId, loss, model);
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
