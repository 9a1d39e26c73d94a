namespace MLNetTuning.Tuners;

/// <summary>
/// The observations a TPE tuner learns from, kept so that a proposal costs no full sort: finished trials in
/// trial order and, per leaf, in ascending order of the leaf's value (both updated by binary insertion), plus
/// the trials still running.
/// </summary>
internal sealed class TpeHistory
{
    private readonly List<Observation> _slots = [];
    private readonly Dictionary<int, int> _slotOfTrial = [];
    private readonly List<int> _byTrial = [];
    private readonly List<int>[] _byValue;
    private readonly SortedDictionary<int, double[]> _running = [];

    public TpeHistory(int leafCount)
    {
        _byValue = new List<int>[leafCount];
        for (var i = 0; i < leafCount; i++)
        {
            _byValue[i] = [];
        }
    }

    /// <summary>Completed and pruned trials.</summary>
    public int FinishedCount => _byTrial.Count;

    /// <summary>Trials proposed and not yet ended.</summary>
    public int RunningCount => _running.Count;

    public void AddRunning(int trialId, double[] values) => _running[trialId] = values;

    /// <summary>Forgets a trial (running or finished), as when it failed.</summary>
    public void Remove(int trialId)
    {
        _running.Remove(trialId);
        if (_slotOfTrial.Remove(trialId, out var slot))
        {
            _byTrial.Remove(slot);
            foreach (var list in _byValue)
            {
                list.Remove(slot);
            }
        }
    }

    /// <summary>Records a completed or pruned trial (replacing what was known of it).</summary>
    public void AddFinished(int trialId, double[] values, double loss, bool pruned, int lastStep)
    {
        Remove(trialId);
        var slot = _slots.Count;
        _slots.Add(new Observation(trialId, values, loss, pruned, lastStep));
        _slotOfTrial[trialId] = slot;
        Insert(_byTrial, slot, s => _slots[s].Id);
        for (var leaf = 0; leaf < values.Length; leaf++)
        {
            if (!double.IsNaN(values[leaf]))
            {
                var l = leaf;
                Insert(_byValue[leaf], slot, s => _slots[s].Values[l]);
            }
        }
    }

    /// <summary>Marks the best finished trials "good": completed trials by loss, then pruned trials, those that
    /// got further first, then by their last loss (ties by trial id).</summary>
    /// <returns>A flag per slot.</returns>
    public bool[] SelectGood(int count)
    {
        var best = new List<int>(count + 1);
        foreach (var slot in _byTrial)
        {
            if (best.Count == count && (count == 0 || Compare(_slots[slot], _slots[best[^1]]) >= 0))
            {
                continue;
            }

            var at = best.Count;
            while (at > 0 && Compare(_slots[slot], _slots[best[at - 1]]) < 0)
            {
                at--;
            }

            best.Insert(at, slot);
            if (best.Count > count)
            {
                best.RemoveAt(best.Count - 1);
            }
        }

        var good = new bool[_slots.Count];
        foreach (var slot in best)
        {
            good[slot] = true;
        }

        return good;
    }

    /// <summary>The values of one group of leaves over the good (or the bad) observations in which the group is
    /// active, in trial order; the bad side includes the running trials when asked. Also gives, when asked, per leaf, the
    /// observations' indices in ascending order of value for subsets large enough for sorting to matter (else null).</summary>
    public double[][] Columns(int[] group, bool[] good, bool wantGood, bool withRunning, bool withOrders, out int[]?[] orders)
    {
        var first = group[0];
        var position = new int[_slots.Count];
        Array.Fill(position, -1);
        var rows = new List<double[]>();
        var running = new List<(int Position, double[] Values)>();
        var pending = withRunning && !wantGood ? _running.Where(kv => !double.IsNaN(kv.Value[first])).ToList() : [];
        var next = 0;
        foreach (var slot in _byTrial)
        {
            var o = _slots[slot];
            while (next < pending.Count && pending[next].Key < o.Id)
            {
                running.Add((rows.Count, pending[next].Value));
                rows.Add(pending[next++].Value);
            }

            if (good[slot] == wantGood && !double.IsNaN(o.Values[first]))
            {
                position[slot] = rows.Count;
                rows.Add(o.Values);
            }
        }

        for (; next < pending.Count; next++)
        {
            running.Add((rows.Count, pending[next].Value));
            rows.Add(pending[next].Value);
        }

        var columns = new double[group.Length][];
        orders = new int[]?[group.Length];
        for (var d = 0; d < group.Length; d++)
        {
            var leaf = group[d];
            var column = new double[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                column[i] = rows[i][leaf];
            }

            columns[d] = column;
            if (withOrders && rows.Count >= 64)
            {
                orders[d] = Ascending(leaf, position, running, rows.Count);
            }
        }

        return columns;
    }

    /// <summary>Merges the leaf's sorted finished observations (those in the subset) with the running ones.</summary>
    private int[] Ascending(int leaf, int[] position, List<(int Position, double[] Values)> running, int count)
    {
        var order = new int[count];
        var extra = running.OrderBy(r => r.Values[leaf]).ToList();
        var k = 0;
        var e = 0;
        foreach (var slot in _byValue[leaf])
        {
            var p = position[slot];
            if (p < 0)
            {
                continue;
            }

            var value = _slots[slot].Values[leaf];
            while (e < extra.Count && extra[e].Values[leaf] < value)
            {
                order[k++] = extra[e++].Position;
            }

            order[k++] = p;
        }

        while (e < extra.Count)
        {
            order[k++] = extra[e++].Position;
        }

        return order;
    }

    private static int Compare(Observation a, Observation b)
    {
        if (a.Pruned != b.Pruned)
        {
            return a.Pruned ? 1 : -1;
        }

        if (a.Pruned && a.LastStep != b.LastStep)
        {
            return b.LastStep.CompareTo(a.LastStep);
        }

        var byLoss = a.Loss.CompareTo(b.Loss);
        return byLoss != 0 ? byLoss : a.Id.CompareTo(b.Id);
    }

    /// <summary>Inserts after every element with a key not above the new one's.</summary>
    private static void Insert(List<int> list, int slot, Func<int, double> key)
    {
        var value = key(slot);
        int low = 0, high = list.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (key(list[mid]) <= value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        list.Insert(low, slot);
    }

    private sealed record Observation(int Id, double[] Values, double Loss, bool Pruned, int LastStep);
}
