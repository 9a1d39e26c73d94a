namespace MLNetTuning.Benchmarks;

/// <summary>
/// The Borehole function (water flow through a borehole, Harper and Gupta 1983; 8 inputs with the ranges of
/// Surjanovic and Bingham's library) with a continuous fidelity as Kandasamy et al. (2017, "Multi-fidelity Bayesian
/// optimisation with continuous approximations", BOCA) define it: f(x, s) = s·f_high(x) + (1 − s)·f_low(x), f_low
/// being the low-accuracy code of Xiong, Qian and Wu (2013). Here s = ln z / ln 100 for a budget z ∈ [1, 100] that
/// costs z, so z = 100 is the Borehole function. The flow is maximised; the benchmark minimises its negative.
/// </summary>
public static class MfBorehole8
{
    public const int Dimension = 8;

    // Ranges in the order rw, r, Tu, Hu, Tl, Hl, L, Kw.
    private static readonly (double Low, double High)[] Ranges =
    [
        (0.05, 0.15), (100, 50000), (63070, 115600), (990, 1110), (63.1, 116), (700, 820), (1120, 1680), (9855, 12045),
    ];

    /// <summary>The largest flow: at the corner rw, Tu, Hu, Tl, Kw high and r, Hl, L low (the flow is monotone in each input).</summary>
    public static readonly double[] Maximiser = [1, 0, 1, 1, 1, 0, 0, 1];

    public static readonly double MaxFlow = Flow(Maximiser, 1);

    /// <summary>The loss at budget z: the negative flow at fidelity s = ln z / ln 100.</summary>
    public static double Evaluate(ReadOnlySpan<double> x, int z)
    {
        if (x.Length != Dimension)
        {
            throw new ArgumentException($"MF-Borehole takes {Dimension} coordinates, got {x.Length}.", nameof(x));
        }

        if (z is < 1 or > MfHartmann6.MaxFidelity)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The fidelity must be in [1, 100].");
        }

        return -Flow(x, Math.Log(z) / Math.Log(MfHartmann6.MaxFidelity));
    }

    /// <summary>Regret of x at the full fidelity: the largest flow minus x's.</summary>
    public static double TrueRegret(ReadOnlySpan<double> x) => MaxFlow + Evaluate(x, MfHartmann6.MaxFidelity);

    private static double Flow(ReadOnlySpan<double> unit, double s)
    {
        Span<double> v = stackalloc double[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            v[i] = Ranges[i].Low + (unit[i] * (Ranges[i].High - Ranges[i].Low));
        }

        var (rw, r, tu, hu, tl, hl, l, kw) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        var logRatio = Math.Log(r / rw);
        var conductance = 2 * l * tu / (logRatio * rw * rw * kw);
        var high = 2 * Math.PI * tu * (hu - hl) / (logRatio * (1 + conductance + (tu / tl)));
        var low = 5 * tu * (hu - hl) / (logRatio * (1.5 + conductance + (tu / tl)));
        return (s * high) + ((1 - s) * low);
    }
}
