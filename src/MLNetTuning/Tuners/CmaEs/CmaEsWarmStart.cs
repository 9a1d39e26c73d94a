using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// A warm start's prior as CMA-ES uses it (as in Nomura et al. 2021, "warm starting CMA-ES"): the run starts at the
/// mean of the source's best share of trials, with a step size from their spread, instead of at the defaults or
/// the centre; later generations learn from the study's own trials only.
/// </summary>
/// <remarks>
/// A coordinate that the best source trials lack (the new space added a parameter) starts where a cold run would
/// start and adds the cold step size's variance to the spread: the source says nothing about it. Each other
/// coordinate's mean and spread come from the best trials that have it.
/// </remarks>
internal static class CmaEsWarmStart
{
    /// <summary>The share of the source's trials, best first, whose points set the start (at least two).</summary>
    private const double GoodShare = 0.1;

    /// <summary>Added to the spread's variance so that a tight source cluster still leaves room to move.</summary>
    private const double SpreadFloor = 0.1;

    /// <summary>The start mean and step size in unit-cube coordinates, or null when the prior has fewer than two trials.</summary>
    /// <param name="prior">The source's trials.</param>
    /// <param name="coordinates">The search cube.</param>
    /// <param name="coldStart">Where the run would start without a prior; coordinates the best source trials lack start there.</param>
    /// <param name="maxSigma">The cold start's step size, which caps the warm one.</param>
    public static (double[] Mean, double Sigma)? StartOf(WarmStartPrior prior, SearchCoordinates coordinates, double[] coldStart, double maxSigma)
    {
        var good = prior.Observations.OrderBy(o => o.Loss).Take(Math.Max(2, (int)Math.Ceiling(GoodShare * prior.Observations.Count))).ToList();
        if (good.Count < 2)
        {
            return null;
        }

        // Missing values are completed from the defaults only so that the point encodes; they are masked out.
        var points = good.Select(o => coordinates.Encode(PartialParameters.Complete(coordinates.Space, o.Parameters, null))).ToList();
        var given = good.Select(o => PartialParameters.GivenCoordinates(coordinates.Space, o.Parameters)).ToList();
        var n = coldStart.Length;
        var mean = new double[n];
        double variance = 0;
        for (var i = 0; i < n; i++)
        {
            var known = Enumerable.Range(0, good.Count).Where(j => given[j][i]).Select(j => points[j][i]).ToList();
            if (known.Count == 0)
            {
                mean[i] = coldStart[i];
                variance += maxSigma * maxSigma / n;
                continue;
            }

            mean[i] = known.Average();
            variance += known.Average(x => (x - mean[i]) * (x - mean[i])) / n;
        }

        return (mean, Math.Min(maxSigma, Math.Sqrt(variance + (SpreadFloor * SpreadFloor))));
    }
}
