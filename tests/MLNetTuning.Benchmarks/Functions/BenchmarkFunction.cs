using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Benchmarks.Functions;

/// <summary>A test function to minimise, with its space and known minimum.</summary>
/// <param name="Name">Command-line name.</param>
/// <param name="Space">The search space.</param>
/// <param name="Optimum">f*, the known minimum.</param>
/// <param name="Evaluate">f.</param>
public sealed record BenchmarkFunction(string Name, HyperparameterSpace Space, double Optimum, Func<TrialParameters, double> Evaluate)
{
    /// <summary>A function of d real variables x0..x(d-1), each in [min, max].</summary>
    public static BenchmarkFunction Box(string name, int dimension, double min, double max, double optimum, Func<double[], double> f)
    {
        var builder = HyperparameterSpace.CreateBuilder();
        var names = Enumerable.Range(0, dimension).Select(i => $"x{i}").ToArray();
        foreach (var n in names)
        {
            builder.Double(n, min, max);
        }

        return new BenchmarkFunction(name, builder.Build(), optimum, p => f(names.Select(n => p.Get<double>(n)).ToArray()));
    }
}

/// <summary>Every benchmark function, by name.</summary>
public static class BenchmarkFunctions
{
    public static IReadOnlyList<BenchmarkFunction> All { get; } =
    [
        ClassicFunctions.Branin,
        ClassicFunctions.Hartmann6,
        ClassicFunctions.Rosenbrock4,
        ClassicFunctions.ShiftedAckley5,
        ClassicFunctions.Levy6,
        ClassicFunctions.StyblinskiTang4,
        MixedConditionalFunction.Create(),
    ];

    /// <summary>Functions from a comma-separated list, or every function for "all".</summary>
    public static IReadOnlyList<BenchmarkFunction> Resolve(string names) => names == "all"
        ? All
        : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => All.FirstOrDefault(f => f.Name == n) ?? throw new ArgumentException($"Unknown function '{n}'. Known: {string.Join(", ", All.Select(f => f.Name))}, all."))
            .ToList();
}
