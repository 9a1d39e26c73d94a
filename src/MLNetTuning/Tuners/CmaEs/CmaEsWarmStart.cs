using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// A warm start's prior as CMA-ES uses it (as in Nomura et al. 2021, "warm starting CMA-ES"): the run starts at the
/// mean of the source's best share of trials, with a step size from their spread, instead of at the defaults or
/// the centre; later generations learn from the study's own trials only.
/// </summary>
internal static class CmaEsWarmStart
{
    /// <summary>The share of the source's trials, best first, whose points set the start (at least two).</summary>
    private const double GoodShare = 0.1;

    /// <summary>Added to the spread's variance so that a tight source cluster still leaves room to move.</summary>
    private const double SpreadFloor = 0.1;

    /// <summary>The start mean and step size in unit-cube coordinates, or null when the prior has fewer than two trials.</summary>
    public static (double[] Mean, double Sigma)? StartOf(WarmStartPrior prior, SearchCoordinates coordinates, double maxSigma)
    {
        var good = prior.Observations.OrderBy(o => o.Loss).Take(Math.Max(2, (int)Math.Ceiling(GoodShare * prior.Observations.Count))).Select(o => coordinates.Encode(o.Parameters)).ToList();
        if (good.Count < 2)
        {
            return null;
        }

        var n = good[0].Length;
        var mean = new double[n];
        double variance = 0;
        for (var i = 0; i < n; i++)
        {
            mean[i] = good.Average(p => p[i]);
            variance += good.Average(p => (p[i] - mean[i]) * (p[i] - mean[i])) / n;
        }

        return (mean, Math.Min(maxSigma, Math.Sqrt(variance + (SpreadFloor * SpreadFloor))));
    }
}
