using System.Globalization;

namespace MLNetTuning.Benchmarks;

/// <summary>A generated data set of the `portfolio` benchmark.</summary>
/// <param name="Name">The data set's name in the output.</param>
/// <param name="Task">The CLI's --task value (binary, multiclass, regression).</param>
/// <param name="Description">The rule, for the output.</param>
/// <param name="Write">Writes a headed CSV (features f0.., then label) of the given rows from the given seed.</param>
public sealed record PortfolioDataSet(string Name, string Task, string Description, Action<string, int, int> Write);

/// <summary>
/// The data sets the `portfolio` benchmark tunes on. None of them is a data set the shipped default portfolio was built
/// from (docs/retuning.md, "How it was built"): other rules and shapes (a checkerboard, 30 uniform features, rings, a
/// softmax of 12 features, Friedman #3, a sparse linear rule with outliers) and other seeds (5,000 and up; the build
/// used 101–302). Each writer is deterministic for its seed.
/// </summary>
public static class PortfolioData
{
    /// <summary>Every data set, two per task.</summary>
    public static IReadOnlyList<PortfolioDataSet> All { get; } =
    [
        new("binary-checkerboard", "binary", "sign of sin(2 x0) sin(2 x1) on uniform [-2, 2], 6 noise features, 10% flipped", Checkerboard),
        new("binary-wide-uniform", "binary", "timebudget's rule: 30 uniform features, 10 linear and one interaction, noisy margin", WideUniform),
        new("multiclass-rings", "multiclass", "3 concentric rings in 2 features, 6 noise features, 5% redrawn", Rings),
        new("multiclass-softmax12", "multiclass", "6 classes, argmax of random linear scores of 12 features plus Gumbel noise", Softmax12),
        new("regression-friedman3", "regression", "Friedman #3 (atan of a ratio of 4 features), 4 noise features, Gaussian noise", Friedman3),
        new("regression-sparse-outliers", "regression", "20 Gaussian features, 5 linear, heavy-tailed noise (5% outliers)", SparseOutliers),
    ];

    private static void Checkerboard(string path, int rows, int seed)
    {
        var random = new Random(seed);
        Write(path, 8, rows, x =>
        {
            Uniform(random, x, -2, 2);
            var inside = Math.Sin(2 * x[0]) * Math.Sin(2 * x[1]) > 0;
            return inside != (random.NextDouble() < 0.10) ? "1" : "0";
        });
    }

    private static void WideUniform(string path, int rows, int seed) => TimeBudgetCommand.WriteData(path, rows, 30, seed);

    private static void Rings(string path, int rows, int seed)
    {
        var random = new Random(seed);
        Write(path, 8, rows, x =>
        {
            Uniform(random, x, -3, 3);
            var radius = Math.Sqrt((x[0] * x[0]) + (x[1] * x[1]));
            var ring = radius < 1.3 ? 0 : radius < 2.3 ? 1 : 2;
            return "ring" + (random.NextDouble() < 0.05 ? random.Next(3) : ring).ToString(CultureInfo.InvariantCulture);
        });
    }

    private static void Softmax12(string path, int rows, int seed)
    {
        var random = new Random(seed);
        // The class weights come from the seed too: every seed is a different linear problem of the same shape.
        var weights = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 12).Select(_ => Gaussian(random)).ToArray()).ToArray();
        Write(path, 12, rows, x =>
        {
            Gaussian(random, x);
            var scores = weights.Select(w => w.Zip(x, (a, b) => a * b).Sum() - Math.Log(-Math.Log(random.NextDouble() + 1e-12))).ToList();
            return "c" + scores.IndexOf(scores.Max()).ToString(CultureInfo.InvariantCulture);
        });
    }

    private static void Friedman3(string path, int rows, int seed)
    {
        var random = new Random(seed);
        Write(path, 8, rows, x =>
        {
            Uniform(random, x, 0, 1);
            // Friedman #3's ranges: x0 in [0, 100], x1 in [40π, 560π], x2 in [0, 1], x3 in [1, 11].
            var (a, b, c, d) = (100 * x[0], Math.PI * (40 + (520 * x[1])), x[2], 1 + (10 * x[3]));
            var y = Math.Atan(((b * c) - (1 / (b * d))) / Math.Max(a, 1e-3)) + (0.1 * Gaussian(random));
            return y.ToString("F5", CultureInfo.InvariantCulture);
        });
    }

    private static void SparseOutliers(string path, int rows, int seed)
    {
        var random = new Random(seed);
        double[] weights = [2.0, -1.5, 1.0, 0.7, -0.5];
        Write(path, 20, rows, x =>
        {
            Gaussian(random, x);
            var noise = random.NextDouble() < 0.05 ? 8 * Gaussian(random) : 0.5 * Gaussian(random);
            var y = weights.Select((w, i) => w * x[i]).Sum() + noise;
            return y.ToString("F5", CultureInfo.InvariantCulture);
        });
    }

    private static void Write(string path, int features, int rows, Func<double[], string> fillAndLabel)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, features).Select(f => $"f{f}").Append("label")));
        var row = new double[features];
        for (var r = 0; r < rows; r++)
        {
            var label = fillAndLabel(row);
            writer.WriteLine(string.Join(",", row.Select(v => v.ToString("F5", CultureInfo.InvariantCulture))) + "," + label);
        }
    }

    private static void Uniform(Random random, double[] x, double low, double high)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = low + ((high - low) * random.NextDouble());
        }
    }

    private static void Gaussian(Random random, double[] x)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = Gaussian(random);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
