using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>Where a bracket scheduler gets new configurations: uniformly at random, or from a model (BOHB).</summary>
internal interface IConfigurationSampler
{
    /// <summary>A new configuration for trial <paramref name="trialId"/>.</summary>
    TrialParameters Sample(int trialId);

    /// <summary>Learns from an ended trial (any budget, replayed ones included).</summary>
    void Observe(TuningTrial trial);
}

/// <summary>Uniform sampling of the search cube, one seeded stream a trial, like <see cref="RandomTuner"/>.</summary>
internal sealed class UniformConfigurationSampler(HyperparameterSpace space, int seed) : IConfigurationSampler
{
    private readonly SearchCoordinates _coordinates = SearchCoordinates.Of(space);

    public TrialParameters Sample(int trialId) => _coordinates.DrawUniform(SeedMixer.Create(seed, trialId));

    public void Observe(TuningTrial trial)
    {
    }
}

/// <summary>Helpers shared by the schedulers.</summary>
internal static class Fidelity
{
    /// <summary>A trial's loss for ranking: failed trials and missing or NaN losses rank last.</summary>
    public static double RankingLoss(TuningTrial trial) =>
        trial.State is TrialState.Completed or TrialState.Pruned && trial.Loss is double loss && !double.IsNaN(loss) ? loss : double.PositiveInfinity;

    /// <summary>Reads the bracket and rung a scheduler stored with a trial.</summary>
    public static bool TryReadPosition(TuningTrial trial, out int bracket, out int rung)
    {
        rung = 0;
        return int.TryParse(trial.Attributes.GetValueOrDefault("bracket"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out bracket)
            & int.TryParse(trial.Attributes.GetValueOrDefault("rung"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out rung);
    }

    /// <summary>The attributes a scheduler stores with a trial.</summary>
    public static IReadOnlyDictionary<string, string> Attributes(int bracket, int rung) => new Dictionary<string, string>
    {
        ["bracket"] = bracket.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["rung"] = rung.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
