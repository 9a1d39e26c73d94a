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
