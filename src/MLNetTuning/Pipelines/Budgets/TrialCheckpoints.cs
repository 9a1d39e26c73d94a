using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Pipelines;

/// <summary>
/// The checkpoints of an experiment's continuable trainers, by trial, in memory: a promoted trial or a PBT interval
/// continues from its parent's. Population-based training releases the ones no member can load any more.
/// </summary>
internal sealed class TrialCheckpoints
{
    private readonly ConcurrentDictionary<int, TrainingContinuation> _byTrial = new();

    public int Count => _byTrial.Count;

    /// <summary>Keeps the checkpoint of the trial's continuable trainer, found among the fitted model's transformers.</summary>
    public void Keep(int trialId, ITransformer model, IReadOnlyDictionary<TunableEstimator, double> amounts)
    {
        if (Capture(trialId, model, amounts) is { } continuation)
        {
            _byTrial[trialId] = continuation;
        }
    }

    /// <summary>The checkpoint of the model's continuable trainer and the amount it trained, or null when no trainer of the model can continue.</summary>
    public static TrainingContinuation? Capture(int trialId, ITransformer model, IReadOnlyDictionary<TunableEstimator, double> amounts)
    {
        foreach (var (estimator, amount) in amounts.Where(a => a.Key.CanContinue))
        {
            foreach (var transformer in Flatten(model))
            {
                if (estimator.CheckpointOf(transformer) is { } checkpoint)
                {
                    return new TrainingContinuation(checkpoint, amount, trialId);
                }
            }
        }

        return null;
    }

    public TrainingContinuation? Find(int trialId) => _byTrial.GetValueOrDefault(trialId);

    public void Release(IEnumerable<int> trialIds)
    {
        foreach (var id in trialIds)
        {
            _byTrial.TryRemove(id, out _);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is TransformerChain<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
}
