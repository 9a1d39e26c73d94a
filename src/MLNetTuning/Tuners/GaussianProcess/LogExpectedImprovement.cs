namespace MLNetTuning.Tuners;

/// <summary>
/// The standard normal's functions and the logarithm of expected improvement, accurate far into the tail where
/// expected improvement itself underflows (Ament et al. 2023, "Unexpected improvements to expected improvement").
/// </summary>
internal static class LogExpectedImprovement
{
    private const double LogSqrtTwoPi = 0.91893853320467274178;

    /// <summary>log EI for minimisation: EI = E[max(best − Y, 0)] with Y ~ N(mean, sd²).</summary>
    /// <param name="mean">Posterior mean.</param>
    /// <param name="sd">Posterior standard deviation (positive).</param>
    /// <param name="best">The incumbent (lowest value so far).</param>
    /// <param name="dMean">∂ log EI / ∂ mean.</param>
    /// <param name="dSd">∂ log EI / ∂ sd.</param>
    public static double Value(double mean, double sd, double best, out double dMean, out double dSd)
    {
        var z = (best - mean) / sd;
        var logH = LogH(z, out var dLogH);
        dMean = -dLogH / sd;
        dSd = (1 / sd) - (dLogH * z / sd);
        return Math.Log(sd) + logH;
    }

    /// <summary>log h(z), h(z) = z·Φ(z) + φ(z), so that EI = sd·h(z); <paramref name="derivative"/> is Φ(z)/h(z).</summary>
    public static double LogH(double z, out double derivative)
    {
        if (z >= -3)
        {
            var cdf = Cdf(z);
            var h = (z * cdf) + Math.Exp(LogPdf(z));
            derivative = cdf / h;
            return Math.Log(h);
        }

        // With t = −z and the Mills ratio R(t) = Q(t)/φ(t) = 1/(t + c), c = 1/(t + 2/(t + 3/(t + …))) (Laplace's
        // continued fraction), h = φ(t)·(1 − t·R(t)) = φ(t)·c/(t + c): no cancellation, however far the tail.
        var t = -z;
        var c = ContinuedFractionTail(t);
        derivative = 1 / c;
        return LogPdf(t) + Math.Log(c) - Math.Log(t + c);
    }

    /// <summary>log φ(z).</summary>
    public static double LogPdf(double z) => (-0.5 * z * z) - LogSqrtTwoPi;

    /// <summary>Φ(z), to near double precision.</summary>
    public static double Cdf(double z)
    {
        if (z > 3)
        {
            return 1 - UpperTail(z);
        }

        if (z < -3)
        {
            return UpperTail(-z);
        }

        return 0.5 * (1 + Erf(z / Math.Sqrt(2)));
    }

    /// <summary>Q(t) = 1 − Φ(t) for t ≥ 3, by the continued fraction.</summary>
    private static double UpperTail(double t) => Math.Exp(LogPdf(t)) / (t + ContinuedFractionTail(t));

    /// <summary>c = 1/(t + 2/(t + 3/(t + …))); 100 terms reach double precision for t ≥ 3.</summary>
    private static double ContinuedFractionTail(double t)
    {
        var tail = 0.0;
        for (var k = 100; k >= 2; k--)
        {
            tail = k / (t + tail);
        }

        return 1 / (t + tail);
    }

    /// <summary>erf(x) for |x| ≤ 2.2 by the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!!, whose terms are all positive.</summary>
    private static double Erf(double x)
    {
        var term = x;
        var sum = x;
        var x2 = x * x;
        for (var n = 0; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
        {
            term *= 2 * x2 / ((2 * n) + 3);
            sum += term;
        }

        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }
}
