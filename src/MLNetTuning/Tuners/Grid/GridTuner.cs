using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="GridTuner"/>.</summary>
public sealed class GridTunerOptions
{
    private int _stepsPerRange = 5;

    /// <summary>Points per numeric range, evenly spaced in the encoded (linear or log) scale, ends included.
    /// Integer ranges yield each distinct value once. Default 5.</summary>
    public int StepsPerRange
    {
        get => _stepsPerRange;
        set => _stepsPerRange = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(StepsPerRange), value, "A grid needs at least one step per range.");
    }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal GridTunerOptions Clone() => (GridTunerOptions)MemberwiseClone();
}

/// <summary>
/// Grid search: the cartesian product of every range's steps and every choice's values; a conditional
/// choice contributes each branch's own grid. Finite: once every point was proposed, <see cref="IsFinished"/>
/// is true and <see cref="Propose"/> returns null.
/// </summary>
public sealed class GridTuner : IHyperparameterTuner
{
    private readonly IEnumerator<object?> _points;
    private readonly HashSet<TrialParameters> _seen = [];

    /// <summary>Creates a grid tuner.</summary>
    public GridTuner(HyperparameterSpace space, GridTunerOptions? options = null)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        StepsPerRange = (options ?? new GridTunerOptions()).StepsPerRange;
        _points = space.GridValues(StepsPerRange).GetEnumerator();
    }

    /// <summary>Points per numeric range.</summary>
    public int StepsPerRange { get; }

    /// <summary>Number of grid points in all; it can be large, so it is counted only when asked.</summary>
    public long CountPoints() => Space.GridValues(StepsPerRange).LongCount();

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished { get; private set; }

    /// <inheritdoc/>
    public TrialProposal? Propose(int trialId)
    {
        while (!IsFinished)
        {
            if (!_points.MoveNext())
            {
                IsFinished = true;
                break;
            }

            var point = (TrialParameters)_points.Current!;
            if (_seen.Add(point))
            {
                return new TrialProposal(point);
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial) => _seen.Add(trial.Parameters);

    /// <inheritdoc/>
    public void ObserveRunning(TuningTrial trial) => _seen.Add(trial.Parameters);
}
