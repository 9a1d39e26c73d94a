namespace MLNetTuning.Tuners;

/// <summary>
/// Makes losses look Gaussian before the GP sees them: standardise, apply the Yeo–Johnson power transform with
/// the λ of maximum likelihood, standardise again. Heavy upper tails (a few diverged trials, Rosenbrock's
/// corners) are compressed, so they no longer flatten the model where the good trials are; the transform is
/// monotone, so the incumbent stays the incumbent.
/// </summary>
internal static class TargetWarp
{
    /// <summary>The warped, standardised copy of <paramref name="losses"/>.</summary>
    public static double[] Apply(IReadOnlyList<double> losses)
    {
        var z = Standardise(losses.ToArray());
        if (z.Length < 3)
        {
            return z;
        }

        // Golden-section search of λ in [−1, 3] on the profile log-likelihood (concave in practice).
        double a = -1, b = 3;
        var phi = (Math.Sqrt(5) - 1) / 2;
        var c = b - (phi * (b - a));
        var d = a + (phi * (b - a));
        double fc = LogLikelihood(z, c), fd = LogLikelihood(z, d);
        for (var i = 0; i < 40; i++)
        {
            if (fc > fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - (phi * (b - a));
                fc = LogLikelihood(z, c);
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + (phi * (b - a));
                fd = LogLikelihood(z, d);
            }
        }

        var lambda = (a + b) / 2;
        return Standardise(z.Select(v => YeoJohnson(v, lambda)).ToArray());
    }

    private static double LogLikelihood(double[] z, double lambda)
    {
        var t = z.Select(v => YeoJohnson(v, lambda)).ToArray();
        var mean = t.Average();
        var variance = t.Sum(v => (v - mean) * (v - mean)) / t.Length;
        var jacobian = z.Sum(v => Math.Sign(v) * Math.Log(Math.Abs(v) + 1));
        return (-0.5 * t.Length * Math.Log(Math.Max(variance, 1e-300))) + ((lambda - 1) * jacobian);
    }

    private static double YeoJohnson(double v, double lambda)
    {
        if (v >= 0)
        {
            return Math.Abs(lambda) < 1e-9 ? Math.Log(v + 1) : (Math.Pow(v + 1, lambda) - 1) / lambda;
        }

        return Math.Abs(lambda - 2) < 1e-9 ? -Math.Log(1 - v) : -(Math.Pow(1 - v, 2 - lambda) - 1) / (2 - lambda);
    }

    private static double[] Standardise(double[] values)
    {
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return values.Select(v => sd > 1e-300 ? (v - mean) / sd : 0).ToArray();
    }
}
