using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Pruners;

/// <summary>
/// A tuner with a pruner: proposals and completions go to the inner tuner; an intermediate report stops the
/// trial when the inner tuner says so or the pruner does. Works with any tuner and study, unchanged.
/// </summary>
public sealed class PrunedTuner : IHyperparameterTuner
{
    private readonly Dictionary<int, SortedDictionary<int, double>> _running = [];
    private readonly List<IReadOnlyDictionary<int, double>> _completed = [];
    private int _sign;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public PrunedTuner(IHyperparameterTuner inner, ITrialPruner pruner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Pruner = pruner ?? throw new ArgumentNullException(nameof(pruner));
    }

    /// <summary>The tuner that proposes.</summary>
    public IHyperparameterTuner Inner { get; }

    /// <summary>The pruner that judges reports.</summary>
    public ITrialPruner Pruner { get; }

    /// <inheritdoc/>
    public HyperparameterSpace Space => Inner.Space;

    /// <inheritdoc/>
    public bool IsFinished => Inner.IsFinished;

    /// <inheritdoc/>
    public TrialProposal? Propose(int trialId) => Inner.Propose(trialId);

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (!_running.TryGetValue(trial.Id, out var losses))
        {
            _running[trial.Id] = losses = [];
        }

        losses[step] = loss;
        if (Inner.Report(trial, step, loss) == TrialDecision.Stop)
        {
            return TrialDecision.Stop;
        }

        return Pruner.ShouldPrune(new PruningContext(trial.Id, step, losses, _completed)) ? TrialDecision.Stop : TrialDecision.Continue;
    }

    /// <inheritdoc/>
    public void ObserveRunning(TuningTrial trial) => Inner.ObserveRunning(trial);

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (!_running.Remove(trial.Id, out var losses))
        {
            losses = ReplayedLosses(trial);
        }

        if (trial.State == TrialState.Completed && losses.Count > 0)
        {
            _completed.Add(losses);
        }

        Inner.Complete(trial);
    }

    /// <summary>A replayed trial's intermediate values turned into losses, the direction read from value and loss.</summary>
    private SortedDictionary<int, double> ReplayedLosses(TuningTrial trial)
    {
        if (trial is { Value: double value, Loss: double loss } && value != 0)
        {
            _sign = loss == -value ? -1 : 1;
        }

        var sign = _sign == 0 ? 1 : _sign;
        return new SortedDictionary<int, double>(trial.IntermediateValues.ToDictionary(kv => kv.Key, kv => sign * kv.Value));
    }
}

/// <summary>Adds a pruner to a tuner.</summary>
public static class PrunedTunerExtensions
{
    /// <summary>The same tuner, with <paramref name="pruner"/> judging intermediate reports.</summary>
    public static TunerFactory WithPruner(this TunerFactory factory, ITrialPruner pruner)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(pruner);
        return new TunerFactory($"{factory.Name}+{PrunerName(pruner)}", (space, seed) => new PrunedTuner(factory.Create(space, seed), pruner));
    }

    /// <summary>This tuner, with <paramref name="pruner"/> judging intermediate reports.</summary>
    public static PrunedTuner WithPruner(this IHyperparameterTuner tuner, ITrialPruner pruner) => new(tuner, pruner);

    private static string PrunerName(ITrialPruner pruner)
    {
        var name = pruner.GetType().Name;
        return (name.EndsWith("Pruner", StringComparison.Ordinal) ? name[..^"Pruner".Length] : name).ToLowerInvariant();
    }
}
