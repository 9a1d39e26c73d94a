using System.Globalization;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Benchmarks;

/// <summary>A multi-fidelity test function of the `multifidelity` benchmark: a loss at budget z ∈ [1, 100] (z costs
/// z), and the true regret of a point at the full budget.</summary>
internal sealed class MultiFidelityObjective
{
    private readonly Func<double[], int, double> _evaluate;
    private readonly Func<double[], double> _trueRegret;
    private readonly double[] _optimum;

    private MultiFidelityObjective(string title, int dimension, Func<double[], int, double> evaluate, Func<double[], double> trueRegret, double[] optimum)
    {
        Title = title;
        _evaluate = evaluate;
        _trueRegret = trueRegret;
        _optimum = optimum;
        Space = Enumerable.Range(0, dimension).Aggregate(HyperparameterSpace.CreateBuilder(), (b, i) => b.Double($"x{i}", 0, 1)).Build();
    }

    public const string Known = "mfhartmann6, mfborehole8";

    public string Title { get; }

    public HyperparameterSpace Space { get; }

    public static MultiFidelityObjective Named(string name) => name switch
    {
        "mfhartmann6" => new("MF-Hartmann6 (moderate)", 6, (x, z) => MfHartmann6.Evaluate(x, z), x => MfHartmann6.TrueRegret(x), MfHartmann6.Minimiser),
        "mfborehole8" => new("MF-Borehole (8-D, BOCA's continuous fidelity)", MfBorehole8.Dimension, (x, z) => MfBorehole8.Evaluate(x, z), x => MfBorehole8.TrueRegret(x), MfBorehole8.Maximiser),
        _ => throw new ArgumentException($"Unknown --function '{name}'; known: {Known}."),
    };

    public double[] Point(TrialParameters parameters) => Enumerable.Range(0, Space.Dimension).Select(i => parameters.Get<double>($"x{i}")).ToArray();

    public double Evaluate(double[] x, int z) => _evaluate(x, z);

    public double TrueRegret(double[] x) => _trueRegret(x);

    /// <summary>The known optimum has regret 0, and no random point does better (a wrong formula shows here).</summary>
    public void CheckOptimum()
    {
        var atOptimum = TrueRegret(_optimum);
        var random = new Random(12345);
        var lowest = Enumerable.Range(0, 10000).Min(_ => TrueRegret(Enumerable.Range(0, Space.Dimension).Select(_ => random.NextDouble()).ToArray()));
        if (Math.Abs(atOptimum) > 1e-4 || lowest < -1e-4)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Title}: regret {atOptimum} at the known optimum, lowest of 10,000 random points {lowest}; the function or its optimum is wrong."));
        }
    }
}
