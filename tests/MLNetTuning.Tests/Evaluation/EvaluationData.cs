using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>Generated rows with an id, a group and a time, and a transform that records every id it sees.</summary>
internal static class EvaluationData
{
    public sealed class Row
    {
        public int Id { get; set; }

        public bool Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public string Group { get; set; } = "";

        public float Time { get; set; }
    }

    public sealed class IdInput
    {
        public int Id { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    public sealed class IdOutput
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>Rows whose label is a noisy linear rule; ids from <paramref name="firstId"/>, 25 groups, time = id.</summary>
    public static IDataView Binary(MLContext ml, int rows, int seed, int firstId = 0) =>
        ml.Data.LoadFromEnumerable(Rows(rows, seed, firstId));

    public static List<Row> Rows(int rows, int seed, int firstId = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(firstId, rows).Select(i =>
        {
            var x = Enumerable.Range(0, 4).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var margin = (1.5 * x[0]) - x[1] + (0.5 * x[2] * x[3]) + (0.8 * ((random.NextDouble() * 2) - 1));
            return new Row { Id = i, Label = margin > 0, Features = x, Group = $"g{(i * 7) % 25}", Time = i };
        }).ToList();
    }

    /// <summary>A pass-through stage that adds every row id that flows through it to <paramref name="seen"/>. It
    /// rewrites the features, so that a trainer or scorer reading them runs it (ML.NET computes only what is read).</summary>
    public static IEstimator<ITransformer> Recorder(MLContext ml, ConcurrentDictionary<int, byte> seen) =>
        ml.Transforms.CustomMapping<IdInput, IdOutput>((input, output) =>
        {
            seen.TryAdd(input.Id, 0);
            output.Features = input.Features;
        }, contractName: null);
}
