using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Transfer;

/// <summary>
/// How well the source study keeps predicting the new study's own trials, as a trust in [0, 1] for the warm start's
/// prior (ranking-loss weighting after RGPE, Feurer et al. 2018). Two predictors rank the new study's completed trials:
/// the source (the loss of the nearest source trial in the unit cube, so a re-evaluated trial gets its own old loss)
/// and the new study itself (the loss of its nearest other trial, leave one out). A predictor's ranking loss is the
/// number of pairs it orders against their new losses. The trust is the share of bootstrap resamples of the trials
/// in which the source's ranking loss is below the new study's (ties count half).
/// </summary>
/// <remarks>
/// Early on, the new study's own predictor is poor, so a related source keeps the trust. Once the study has trials
/// near its best region, a source whose best region moved orders them no better than chance (they all lie near the
/// same source trials), while the study's own neighbours order them well: the trust falls, and the prior with it.
/// </remarks>
internal sealed class PriorEvidence
{
    /// <summary>The trials compared: the most recent ones, which bounds the cost of a proposal at O(Resamples · n²).</summary>
    public const int MaxTrials = 100;

    /// <summary>Bootstrap resamples per trust.</summary>
    public const int Resamples = 64;

    private readonly HyperparameterSpace _space;
    private readonly List<(double[] Units, bool[] Given, double Loss)> _source;
    private readonly List<(double[] Units, double Loss, double SourcePrediction)> _own = [];

    /// <summary>Creates the evidence from the source's observations (mapped into <paramref name="space"/>).</summary>
    public PriorEvidence(HyperparameterSpace space, IReadOnlyList<PriorObservation> source)
    {
        _space = space;
        _source = source.Select(o => (
            _space.EncodeParameters(PartialParameters.Complete(space, o.Parameters, null)),
            PartialParameters.GivenCoordinates(space, o.Parameters),
            o.Loss)).ToList();
    }

    /// <summary>How many own trials were added.</summary>
    public int Count => _own.Count;

    /// <summary>Adds a completed trial of the new study.</summary>
    public void Add(TrialParameters parameters, double loss)
    {
        var units = _space.EncodeParameters(parameters);
        _own.Add((units, loss, NearestSourceLoss(units)));
    }

    /// <summary>The share of bootstrap resamples in which the source ranks the own trials better than they rank
    /// themselves; 1 with fewer than 3 own trials (no evidence yet).</summary>
    public double Trust()
    {
        var trials = _own.Skip(Math.Max(0, _own.Count - MaxTrials)).ToList();
        var n = trials.Count;
        if (n < 3)
        {
            return 1;
        }

        var loss = trials.Select(t => t.Loss).ToArray();
        var bySource = trials.Select(t => t.SourcePrediction).ToArray();
        var byOwn = new double[n];
        for (var i = 0; i < n; i++)
        {
            var nearest = double.PositiveInfinity;
            for (var j = 0; j < n; j++)
            {
                var d = j == i ? double.PositiveInfinity : Distance(trials[i].Units, trials[j].Units, null);
                if (d < nearest)
                {
                    nearest = d;
                    byOwn[i] = loss[j];
                }
            }
        }

        // The same resamples for the same trials: a study's trust is reproducible.
        var random = new Random(n);
        var sample = new int[n];
        double wins = 0;
        for (var b = 0; b < Resamples; b++)
        {
            for (var i = 0; i < n; i++)
            {
                sample[i] = random.Next(n);
            }

            var (sourceLoss, ownLoss) = (RankingLoss(sample, loss, bySource), RankingLoss(sample, loss, byOwn));
            wins += sourceLoss < ownLoss ? 1 : sourceLoss == ownLoss ? 0.5 : 0;
        }

        return wins / Resamples;
    }

    /// <summary>Pairs of the sample whose losses differ and whose predictions order them the other way (a tie counts half).</summary>
    private static double RankingLoss(int[] sample, double[] loss, double[] prediction)
    {
        double wrong = 0;
        for (var a = 0; a < sample.Length; a++)
        {
            for (var b = a + 1; b < sample.Length; b++)
            {
                var (i, j) = (sample[a], sample[b]);
                if (loss[i] != loss[j])
                {
                    wrong += prediction[i] == prediction[j] ? 0.5 : (loss[i] < loss[j]) != (prediction[i] < prediction[j]) ? 1 : 0;
                }
            }
        }

        return wrong;
    }

    private double NearestSourceLoss(double[] units)
    {
        var (nearest, result) = (double.PositiveInfinity, double.NaN);
        foreach (var (source, given, loss) in _source)
        {
            var d = Distance(units, source, given);
            if (d < nearest)
            {
                (nearest, result) = (d, loss);
            }
        }

        return result;
    }

    /// <summary>Mean squared difference over the coordinates the source point gives (all when <paramref name="given"/> is null).</summary>
    private static double Distance(double[] a, double[] b, bool[]? given)
    {
        double sum = 0;
        var count = 0;
        for (var k = 0; k < a.Length; k++)
        {
            if (given is null || given[k])
            {
                sum += (a[k] - b[k]) * (a[k] - b[k]);
                count++;
            }
        }

        return count == 0 ? 0 : sum / count;
    }
}
