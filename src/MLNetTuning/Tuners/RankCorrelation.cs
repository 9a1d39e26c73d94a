namespace MLNetTuning.Tuners;

/// <summary>Spearman's rank correlation, shared by ASHA's rung skipping and the warm start's negative-transfer guard.</summary>
internal static class RankCorrelation
{
    /// <summary>Spearman's rank correlation of the pairs (ties get their mean rank); NaN when either side is constant.</summary>
    public static double Spearman(IReadOnlyList<(double X, double Y)> pairs)
    {
        var rx = Ranks(pairs.Select(p => p.X).ToArray());
        var ry = Ranks(pairs.Select(p => p.Y).ToArray());
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            for (var i = start; i <= end; i++)
            {
                ranks[order[i]] = (start + end) / 2.0;
            }

            start = end + 1;
        }

        return ranks;
    }
}
