namespace MLNetTuning.Pipelines;

/// <summary>
/// A test set's scores sorted once, so that the area under the ROC curve of any bootstrap resample is one pass over
/// that order with each row weighted by how often the resample drew it, instead of a sort per resample.
/// </summary>
internal sealed class RankedScores
{
    private readonly bool[] _positive;
    private readonly int[] _order;

    // _groupEnds[g] is the end (exclusive) in _order of the g-th run of equal scores.
    private readonly int[] _groupEnds;

    /// <summary>Sorts the rows by score and finds the runs of equal scores.</summary>
    /// <param name="score">Each row's score.</param>
    /// <param name="positive">Whether each row is of the positive class.</param>
    public RankedScores(IReadOnlyList<float> score, bool[] positive)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(score.Count, positive.Length);
        _positive = positive;
        _order = Enumerable.Range(0, score.Count).OrderBy(i => score[i]).ToArray();
        var ends = new List<int>();
        for (var k = 1; k <= _order.Length; k++)
        {
            if (k == _order.Length || score[_order[k]] != score[_order[k - 1]])
            {
                ends.Add(k);
            }
        }

        _groupEnds = [.. ends];
    }

    /// <summary>Rows in the set.</summary>
    public int Count => _order.Length;

    /// <summary>
    /// The Mann-Whitney statistic with each row counted <paramref name="weights"/>[row] times: the chance that a
    /// positive outscores a negative, a tie counting half (as a mid-rank sum does). NaN without a positive or a negative.
    /// </summary>
    public double AreaUnderRoc(int[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Length, _order.Length);
        double negativesBelow = 0, pairsWon = 0, positives = 0;
        var start = 0;
        foreach (var end in _groupEnds)
        {
            double groupPositives = 0, groupNegatives = 0;
            for (var k = start; k < end; k++)
            {
                var row = _order[k];
                if (_positive[row])
                {
                    groupPositives += weights[row];
                }
                else
                {
                    groupNegatives += weights[row];
                }
            }

            // Every positive here beats the negatives below and ties with the negatives of its own score.
            pairsWon += groupPositives * (negativesBelow + (groupNegatives / 2));
            negativesBelow += groupNegatives;
            positives += groupPositives;
            start = end;
        }

        return positives == 0 || negativesBelow == 0 ? double.NaN : pairsWon / (positives * negativesBelow);
    }

    /// <summary>How often each row appears in <paramref name="rows"/> (a resample drawn with replacement).</summary>
    public int[] Weights(IReadOnlyList<int> rows)
    {
        var weights = new int[_order.Length];
        foreach (var row in rows)
        {
            weights[row]++;
        }

        return weights;
    }
}
