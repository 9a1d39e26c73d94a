using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Tests;

/// <summary>Small synthetic data sets the tests make themselves.</summary>
internal static class GeneratedData
{
    public sealed class BinaryRow
    {
        public bool Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public string Group { get; set; } = "";
    }

    /// <summary>Rows whose label is a noisy linear rule of four features, in 20 groups.</summary>
    public static IDataView Binary(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = Enumerable.Range(0, rows).Select(i =>
        {
            var x = Enumerable.Range(0, 4).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var margin = (2 * x[0]) - x[1] + (0.5 * x[2] * x[3]) + (0.3 * ((random.NextDouble() * 2) - 1));
            return new BinaryRow { Label = margin > 0, Features = x, Group = $"g{i % 20}" };
        }).ToList();
        return ml.Data.LoadFromEnumerable(data);
    }

    public sealed class RegressionRow
    {
        public float Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>Rows whose label is a noisy linear rule of four features plus <paramref name="offset"/>: with the
    /// default offset of 0 about half the labels are below 0.</summary>
    public static IDataView Regression(MLContext ml, int rows, int seed, float offset = 0)
    {
        var random = new Random(seed);
        var data = Enumerable.Range(0, rows).Select(_ =>
        {
            var x = Enumerable.Range(0, 4).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            return new RegressionRow { Label = offset + (2 * x[0]) - x[1] + (0.5f * x[2]) + (float)(0.1 * random.NextDouble()), Features = x };
        }).ToList();
        return ml.Data.LoadFromEnumerable(data);
    }

    public static IDataView Empty(MLContext ml) => ml.Data.LoadFromEnumerable(new List<BinaryRow>());
}
