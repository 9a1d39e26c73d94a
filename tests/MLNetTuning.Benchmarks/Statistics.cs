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

    /// <summary>A percentile bootstrap interval of the median: the values are resampled with replacement
    /// <paramref name="resamples"/> times (seeded, so a reading repeats), and the interval holds the middle
    /// <paramref name="level"/> of the resampled medians. With 20 seeds it shows how far a median of per-seed ratios
    /// moves with the seeds drawn.</summary>
    public static Interval MedianInterval(IReadOnlyList<double> values, double level = 0.9, int resamples = 2000, int seed = 1)
    {
        var random = new Random(seed);
        var medians = new double[resamples];
        var sample = new double[values.Count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < sample.Length; i++)
            {
                sample[i] = values[random.Next(values.Count)];
            }

            medians[r] = Median(sample);
        }

        Array.Sort(medians);
        var tail = (1 - level) / 2;
        return new Interval(medians[(int)Math.Floor(tail * (resamples - 1))], medians[(int)Math.Ceiling((1 - tail) * (resamples - 1))]);
    }

    /// <summary>The standard error of the mean (sample standard deviation / √n); 0 for fewer than two values.</summary>
    public static double StandardError(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count < 2)
        {
            return 0;
        }

        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1) / list.Count);
    }

    /// <summary>
    /// "a − b = d (z standard errors)" for two independent means with standard errors: z = d / √(se_a² + se_b²). A
    /// difference under two standard errors is not evidence that the methods differ, and the tables say so; with 5
    /// seeds per method even a little over two is weak (Welch's t with about 8 degrees of freedom needs 2.3 for p &lt; 0.05).
    /// </summary>
    public static string Difference(double a, double standardErrorA, double b, double standardErrorB)
    {
        var difference = a - b;
        var standardError = Math.Sqrt((standardErrorA * standardErrorA) + (standardErrorB * standardErrorB));
        var z = standardError > 0 ? difference / standardError : double.NaN;
        var verdict = double.IsNaN(z) ? "one seed: no uncertainty" : Math.Abs(z) >= 2 ? "over 2 standard errors" : "under 2 standard errors: no shown difference";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{difference:+0.0000;-0.0000} ({z:0.0} standard errors; {verdict})");
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

/// <summary>An interval of a statistic, such as <see cref="Statistics.MedianInterval"/>'s.</summary>
internal sealed record Interval(double Low, double High);
