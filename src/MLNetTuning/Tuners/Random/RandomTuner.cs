using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Options of <see cref="RandomTuner"/>.</summary>
public sealed class RandomTunerOptions
{
    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal RandomTunerOptions Clone() => (RandomTunerOptions)MemberwiseClone();
}

/// <summary>
/// Random search: every coordinate drawn uniformly, so log ranges are sampled log-uniformly, choices with equal
/// chances, and every integer of a range with an equal share (the unit-cube encoding floors integers, which
/// would leave the largest value a zero chance). Trial <c>k</c> draws from its own stream of the seed, so a
/// resumed or parallel study proposes what a sequential one would.
/// </summary>
public sealed class RandomTuner : IHyperparameterTuner
{
    private readonly int _seed;
    private readonly SearchCoordinates _coordinates;

    /// <summary>Creates a random tuner.</summary>
    public RandomTuner(HyperparameterSpace space, RandomTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _seed = options?.Seed ?? defaultSeed;
        _coordinates = SearchCoordinates.Of(space);
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        return new TrialProposal(_coordinates.DrawUniform(SeedMixer.Create(_seed, trialId)));
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
    }
}
