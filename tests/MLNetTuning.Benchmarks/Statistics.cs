namespace MLNetTuning.Benchmarks;

/// <summary>Summary statistics the benchmark tables share.</summary>
internal static class Statistics
{
    /// <summary>The median (mean of the middle two for an even count); infinities sort last.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>
/// Seeds of the methods a benchmark compares. Every tuner draws trial k's configuration from a stream of (seed, k),
/// so a method given random search's seed would start from random search's own configurations: a scheduler's first
/// bracket would screen the very candidates random search ends with, which favours it. Each method gets its own.
/// </summary>
internal static class SeedStreams
{
    /// <summary>The seed random search (the baseline) uses for a benchmark seed.</summary>
    public static int Baseline(int seed) => 1000 + seed;

    /// <summary>A seed for another method, independent of the baseline's and of the other methods'.</summary>
    public static int Method(string method, int seed) => Baseline(seed) + (100_000 * (1 + StableHash(method) % 1000));

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c)) & int.MaxValue;
}
