using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>The evolutionary tuners under their benchmark names, for the tuner registry.</summary>
public static class EvoTunerNames
{
    /// <summary>"cmaes" and "ga" with their default options; the benchmark's seed goes to the factory.</summary>
    public static IEnumerable<KeyValuePair<string, TunerFactory>> Factories()
    {
        yield return new("cmaes", new TunerFactory("cmaes", (space, seed) => new CmaEsTuner(space, null, seed)));
        yield return new("ga", new TunerFactory("ga", (space, seed) => new GeneticTuner(space, null, seed)));
    }
}
