using System.Runtime.Intrinsics;

namespace MLNetTuning.Tuners;

/// <summary>Normal distribution helpers for TPE's truncated kernels: CDF, interval mass and sampling.</summary>
internal static class TruncatedNormal
{
    /// <summary>ln(sqrt(2π)).</summary>
    public const double LogSqrtTwoPi = 0.91893853320467274178;

    // Numerical Recipes' erfcc polynomial, highest order first (the leading 0.17087277 seeds the Horner loop).
    private static readonly double[] ErfcCoefficients =
        [-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368];

    /// <summary>Complementary error function; relative error below 1.2e-7 everywhere, and the
    /// exp(-z²)·polynomial form keeps that relative accuracy far into the tails.</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = 0.17087277;
        foreach (var c in ErfcCoefficients)
        {
            poly = c + (t * poly);
        }

        var r = t * Math.Exp((-z * z) - 1.26551223 + (t * poly));
        return x >= 0 ? r : 2.0 - r;
    }

    /// <summary>Standard normal CDF Φ(z).</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z * 0.70710678118654752440);

    /// <summary>Mass of N(0,1) on [a, b] (a ≤ b), computed on the side of the tail so it stays accurate far out.</summary>
    public static double Mass(double a, double b) => a >= 0 ? Cdf(-a) - Cdf(-b) : Cdf(b) - Cdf(a);

    /// <summary><see cref="Erfc(double)"/> of four values that are all 0 or more.</summary>
    private static Vector256<double> ErfcOfPositive(Vector256<double> z)
    {
        var t = Vector256<double>.One / (Vector256<double>.One + (Vector256.Create(0.5) * z));
        var poly = Vector256.Create(0.17087277);
        foreach (var c in ErfcCoefficients)
        {
            poly = Vector256.Create(c) + (t * poly);
        }

        return t * Vector256.Exp((-z * z) - Vector256.Create(1.26551223) + (t * poly));
    }

    /// <summary><see cref="Mass(double, double)"/> of four intervals, with one erfc per bound: Φ(−x) and
    /// Φ(x) share erfc(|x|/√2).</summary>
    public static Vector256<double> Mass(Vector256<double> a, Vector256<double> b)
    {
        var scale = Vector256.Create(0.70710678118654752440);
        var half = Vector256.Create(0.5);
        var ra = ErfcOfPositive(Vector256.Abs(a) * scale);
        var rb = ErfcOfPositive(Vector256.Abs(b) * scale);
        var zero = Vector256<double>.Zero;
        var upperTail = half * (ra - rb);
        var upper = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(b, zero), Vector256.Create(2.0) - rb, rb);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, zero), upperTail, half * (upper - ra));
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A draw of N(mu, sigma²) truncated to [low, high]. Kernel centres lie inside the interval and
    /// sigma is at most its width, so rejection accepts at least a third of the time.</summary>
    public static double Sample(Random random, double mu, double sigma, double low, double high)
    {
        for (var attempt = 0; attempt < 256; attempt++)
        {
            var x = mu + (sigma * StandardNormal(random));
            if (x >= low && x <= high)
            {
                return x;
            }
        }

        return Math.Clamp(mu, low, high);
    }
}
