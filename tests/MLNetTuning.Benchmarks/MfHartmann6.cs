namespace MLNetTuning.Benchmarks;

/// <summary>
/// MF-Hartmann6 as mfpbench defines it, at moderate correlation (bias 3.0, noise 3.0): budget z ∈ [1, 100]
/// costs z; s = ln z / ln 100; f(x, z) = −Σ_i α'_i·exp(−Σ_j A_ij·(x_j − P_ij)²) + |ε|·noise·(1 − s) with
/// α' = α − bias·(1 − s) and ε a standard normal drawn deterministically from (x, z). At z = 100 it is Hartmann6.
/// </summary>
public static class MfHartmann6
{
    public const int MaxFidelity = 100;
    public const double Optimum = -3.32237;

    private const double Bias = 3.0;
    private const double Noise = 3.0;

    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] A =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] P =
    {
        { 1312, 1696, 5569, 124, 8283, 5886 },
        { 2329, 4135, 8307, 3736, 1004, 9991 },
        { 2348, 1451, 3522, 2883, 3047, 6650 },
        { 4047, 8828, 8732, 5743, 1091, 381 },
    };

    /// <summary>Hartmann6's minimiser; <see cref="Evaluate"/> at z = 100 must give <see cref="Optimum"/> there.</summary>
    public static readonly double[] Minimiser = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573];

    /// <summary>The budget actually evaluated: rounded to an integer in [1, 100].</summary>
    public static int Fidelity(double budget) => (int)Math.Clamp(Math.Round(budget), 1, MaxFidelity);

    /// <summary>f(x, z).</summary>
    public static double Evaluate(ReadOnlySpan<double> x, int z)
    {
        if (x.Length != 6)
        {
            throw new ArgumentException($"MF-Hartmann6 takes 6 coordinates, got {x.Length}.", nameof(x));
        }

        if (z is < 1 or > MaxFidelity)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The fidelity must be in [1, 100].");
        }

        var s = Math.Log(z) / Math.Log(MaxFidelity);
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                var d = x[j] - (1e-4 * P[i, j]);
                inner += A[i, j] * d * d;
            }

            sum += (Alpha[i] - (Bias * (1 - s))) * Math.Exp(-inner);
        }

        return -sum + (Math.Abs(StandardNormal(x, z)) * Noise * (1 - s));
    }

    /// <summary>Regret of x at the full fidelity (noise-free Hartmann6).</summary>
    public static double TrueRegret(ReadOnlySpan<double> x) => Evaluate(x, MaxFidelity) - Optimum;

    /// <summary>A standard normal from a hash of (x, z), so that re-evaluating a point gives the same value.</summary>
    private static double StandardNormal(ReadOnlySpan<double> x, int z)
    {
        var h = 0xCBF29CE484222325UL ^ (ulong)z;
        foreach (var v in x)
        {
            h = Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(v));
        }

        var u1 = ((Mix(h) >> 11) + 1.0) / 9007199254740993.0;
        var u2 = (Mix(h ^ 0x9E3779B97F4A7C15UL) >> 11) / 9007199254740992.0;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
