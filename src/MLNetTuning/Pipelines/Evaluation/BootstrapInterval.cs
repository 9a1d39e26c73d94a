namespace MLNetTuning.Pipelines;

/// <summary>
/// Percentile bootstrap confidence intervals: the statistic on many resamples drawn with replacement, and the
/// interval between the resample values' lower and upper (1 - confidence) / 2 quantiles.
/// <para>
/// With strata (the classes of a classification test set) each resample first draws how many rows each class gets,
/// from the multinomial at the observed class shares, then draws that many rows within each class, and redraws the
/// counts while a class would be empty. The test rows were a random draw whose class mix varied too, so holding
/// the class counts fixed would leave out that part of the variance: for accuracy it is share × (1 − share) ×
/// (accuracy on one class − accuracy on the other)², a large part for a model that favours one class, and the
/// intervals came out too narrow. Keeping every class present keeps metrics such as the AUC defined in every
/// resample.
/// </para>
/// <para>
/// Percentile rather than BCa: BCa's acceleration needs a jackknife (n more evaluations of the metric), and on test
/// sets of hundreds of rows or more both give the same interval to the third decimal; the benchmark
/// <c>honesty</c> measures the coverage that results.
/// </para>
/// </summary>
internal static class BootstrapInterval
{
    // A resample with an empty class is redrawn; after this many tries (a class of one row in a huge set) it is kept.
    private const int MaxRedraws = 100;

    /// <summary>Resamples made even after <c>stop</c> fired: fewer would leave the 2.5 % tails to two or three values.</summary>
    public const int MinResamples = 100;

    /// <summary>The percentile interval of <paramref name="statistic"/> over <paramref name="resamples"/> resamples.</summary>
    /// <param name="count">Rows in the sample.</param>
    /// <param name="strata">Each row's stratum (class), or null for a plain bootstrap.</param>
    /// <param name="statistic">The statistic of a resample, given its row indices; NaN resamples are skipped.</param>
    /// <param name="resamples">Number of resamples.</param>
    /// <param name="confidence">Coverage, such as 0.95.</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="stop">Stops resampling once it fires (the end of a time budget), after at least
    /// <see cref="MinResamples"/>; the interval is then that of the resamples made.</param>
    /// <returns>The interval, and how many resamples were made.</returns>
    public static (double Low, double High, int Resamples) Percentile(int count, int[]? strata, Func<int[], double> statistic, int resamples, double confidence, int seed, CancellationToken stop = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        var groups = strata is null
            ? [Enumerable.Range(0, count).ToArray()]
            : Enumerable.Range(0, count).GroupBy(i => strata[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var random = new Random(seed);
        var values = new List<double>(resamples);
        var draw = new int[count];
        var sizes = new int[groups.Length];
        var made = 0;
        for (; made < resamples && (made < MinResamples || !stop.IsCancellationRequested); made++)
        {
            DrawClassSizes(groups, count, sizes, random);
            var k = 0;
            for (var g = 0; g < groups.Length; g++)
            {
                var group = groups[g];
                for (var j = 0; j < sizes[g]; j++)
                {
                    draw[k++] = group[random.Next(group.Length)];
                }
            }

            var value = statistic(draw);
            if (double.IsFinite(value))
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            return (double.NaN, double.NaN, made);
        }

        values.Sort();
        var tail = (1 - confidence) / 2;
        return (Quantile(values, tail), Quantile(values, 1 - tail), made);
    }

    /// <summary>The p-quantile of sorted values, interpolating linearly between order statistics.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        var position = p * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(sorted.Count - 1, below + 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>Rows per group of one resample: multinomial at the groups' shares (each draw picks a row at random
    /// and counts its group), redrawn while a group is empty.</summary>
    private static void DrawClassSizes(int[][] groups, int count, int[] sizes, Random random)
    {
        if (groups.Length == 1)
        {
            sizes[0] = count;
            return;
        }

        var cumulative = new int[groups.Length];
        for (int g = 0, total = 0; g < groups.Length; g++)
        {
            total += groups[g].Length;
            cumulative[g] = total;
        }

        for (var attempt = 0; ; attempt++)
        {
            Array.Clear(sizes);
            for (var i = 0; i < count; i++)
            {
                // The first group whose cumulative size exceeds the row number (sizes strictly increase).
                var found = Array.BinarySearch(cumulative, random.Next(count) + 1);
                sizes[found >= 0 ? found : ~found]++;
            }

            if (attempt >= MaxRedraws || Array.IndexOf(sizes, 0) < 0)
            {
                return;
            }
        }
    }
}
