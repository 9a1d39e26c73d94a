namespace MLNetTuning.Benchmarks.Functions;

/// <summary>The six classic test functions of the Optuna comparison (definitions as in the
/// Virtual Library of Simulation Experiments, Surjanovic &amp; Bingham). Optima are exact or computed to full
/// double precision: Branin's f* = 5/(4π) at (π, 2.275); Hartmann-6's by Newton steps from its published argmin
/// (gradient below 3e-15); Styblinski–Tang's as 4·g(v*), v* the root of 4v³ − 32v + 5 = 0 near −2.9035.</summary>
public static class ClassicFunctions
{
    public static BenchmarkFunction Branin { get; } = new(
        "branin",
        MLNetTuning.SearchSpaces.HyperparameterSpace.CreateBuilder().Double("x0", -5, 10).Double("x1", 0, 15).Build(),
        5 / (4 * Math.PI),
        p => BraninValue(p.Get<double>("x0"), p.Get<double>("x1")));

    public static BenchmarkFunction Hartmann6 { get; } = BenchmarkFunction.Box("hartmann6", 6, 0, 1, -3.322368011415515, Hartmann6Value);

    public static BenchmarkFunction Rosenbrock4 { get; } = BenchmarkFunction.Box("rosenbrock4", 4, -5, 10, 0, x =>
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length - 1; i++)
        {
            sum += (100 * Math.Pow(x[i + 1] - (x[i] * x[i]), 2)) + Math.Pow(1 - x[i], 2);
        }

        return sum;
    });

    /// <summary>Where shifted Ackley's minimum lies: a fixed point off the box centre (every range's default),
    /// so a tuner that starts from the defaults does not get the optimum for free.</summary>
    public static IReadOnlyList<double> AckleyShift { get; } = [7.3, -11.9, 4.1, 16.6, -5.2];

    /// <summary>Ackley in 5-D on the usual box, its minimum moved from the centre to <see cref="AckleyShift"/>.</summary>
    public static BenchmarkFunction ShiftedAckley5 { get; } = BenchmarkFunction.Box("shifted_ackley5", 5, -32.768, 32.768, 0, x =>
    {
        var z = x.Select((v, i) => v - AckleyShift[i]).ToArray();
        var squares = z.Sum(v => v * v) / z.Length;
        var cosines = z.Sum(v => Math.Cos(2 * Math.PI * v)) / z.Length;
        return (-20 * Math.Exp(-0.2 * Math.Sqrt(squares))) - Math.Exp(cosines) + 20 + Math.E;
    });

    public static BenchmarkFunction Levy6 { get; } = BenchmarkFunction.Box("levy6", 6, -10, 10, 0, x =>
    {
        var w = x.Select(v => 1 + ((v - 1) / 4)).ToArray();
        var d = w.Length;
        var sum = Math.Pow(Math.Sin(Math.PI * w[0]), 2);
        for (var i = 0; i < d - 1; i++)
        {
            sum += Math.Pow(w[i] - 1, 2) * (1 + (10 * Math.Pow(Math.Sin((Math.PI * w[i]) + 1), 2)));
        }

        return sum + (Math.Pow(w[d - 1] - 1, 2) * (1 + Math.Pow(Math.Sin(2 * Math.PI * w[d - 1]), 2)));
    });

    public static BenchmarkFunction StyblinskiTang4 { get; } = BenchmarkFunction.Box("styblinski_tang4", 4, -5, 5, -156.66466281508565,
        x => 0.5 * x.Sum(v => (v * v * v * v) - (16 * v * v) + (5 * v)));

    public static double BraninValue(double x1, double x2)
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI);
        const double c = 5 / Math.PI;
        const double t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - (b * x1 * x1) + (c * x1) - 6, 2) + (10 * (1 - t) * Math.Cos(x1)) + 10;
    }

    private static readonly double[] HartmannAlpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] HartmannA =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] HartmannP =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 },
        { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 },
        { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };

    public static double Hartmann6Value(double[] x)
    {
        var total = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                inner += HartmannA[i, j] * Math.Pow(x[j] - HartmannP[i, j], 2);
            }

            total += HartmannAlpha[i] * Math.Exp(-inner);
        }

        return -total;
    }
}
