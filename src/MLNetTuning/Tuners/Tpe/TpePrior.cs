using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// A warm start's prior as TPE uses it: the source study's trials, encoded in this space's leaves and split into
/// good and bad by the source's own ranking (the same γ share as the study's own trials), appended to the
/// observations of each density with a weight that decays as the study's own trials accumulate.
/// </summary>
/// <remarks>
/// A source trial that lacks some leaves (the new space added parameters) still joins every group in which it gives
/// at least one leaf. Its missing leaves reach the estimator as NaN, which gives that observation's kernel the flat
/// prior kernel in those dimensions: the observation shapes the densities of the leaves it has and says nothing
/// about the others. A group in which it gives no leaf does not see it.
/// </remarks>
internal sealed class TpePrior
{
    private readonly WarmStartPrior _source;
    private readonly double[][] _rows;
    private readonly bool[][] _given;
    private readonly bool[] _good;

    public TpePrior(WarmStartPrior source, TpeLayout layout, double goodFraction, int maxGood)
    {
        _source = source;
        var ranked = source.Observations.OrderBy(o => o.Loss).ToList();

        // Missing values are completed from the defaults only to encode which branches are active; they are masked out.
        _rows = ranked.Select(o => layout.Encode(PartialParameters.Complete(layout.Space, o.Parameters, null))).ToArray();
        _given = ranked.Select(o =>
        {
            var given = PartialParameters.GivenCoordinates(layout.Space, o.Parameters);
            return layout.Leaves.Select(leaf => given[leaf.Coordinate]).ToArray();
        }).ToArray();
        var goodCount = Math.Min((int)Math.Ceiling(goodFraction * ranked.Count), maxGood);
        _good = Enumerable.Range(0, ranked.Count).Select(i => i < goodCount).ToArray();
    }

    /// <summary>The weight of each prior observation after <paramref name="ownFinished"/> own trials (0 when switched off).</summary>
    public double Weight(int ownFinished) => _rows.Length == 0 ? 0 : _source.WeightAt(ownFinished);

    /// <summary>The columns with the prior's good (or bad) rows in which the group is active and gives at least one
    /// leaf appended; a leaf the row lacks is NaN (see <see cref="ParzenEstimator"/>).</summary>
    public double[][] Append(double[][] columns, int[] group, bool wantGood, out int added)
    {
        var rows = Enumerable.Range(0, _rows.Length)
            .Where(i => _good[i] == wantGood && !double.IsNaN(_rows[i][group[0]]) && group.Any(leaf => _given[i][leaf]))
            .ToList();
        added = rows.Count;
        var result = new double[group.Length][];
        for (var d = 0; d < group.Length; d++)
        {
            var leaf = group[d];
            result[d] = [.. columns[d], .. rows.Select(i => _given[i][leaf] ? _rows[i][leaf] : double.NaN)];
        }

        return result;
    }
}
