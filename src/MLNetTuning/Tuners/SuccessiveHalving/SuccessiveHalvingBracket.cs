using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>
/// One running bracket of synchronous successive halving: it starts its rung-0 configurations, waits until a
/// rung is complete, then promotes the best ⌊n_i/η⌋ (by the plan) to the next rung.
/// </summary>
internal sealed class SuccessiveHalvingBracket
{
    private readonly List<Slot>[] _rungs;
    private readonly Dictionary<int, Slot> _byTrial = [];
    private readonly int[] _targets;
    private int _rung;

    public SuccessiveHalvingBracket(int number, BracketPlan plan)
    {
        Number = number;
        Plan = plan;
        _rungs = plan.Rungs.Select(_ => new List<Slot>()).ToArray();
        _targets = plan.Rungs.Select(r => r.Configurations).ToArray();
    }

    /// <summary>The bracket's sequence number in the run (recorded as the trial attribute "bracket").</summary>
    public int Number { get; }

    public BracketPlan Plan { get; }

    public bool IsFinished => _rung >= _rungs.Length;

    public bool Owns(int trialId) => _byTrial.ContainsKey(trialId);

    /// <summary>The next trial of the current rung, or null when the rung is waiting for running trials.</summary>
    public TrialProposal? TryPropose(int trialId, Func<int, TrialParameters> sample)
    {
        if (IsFinished)
        {
            return null;
        }

        var slots = _rungs[_rung];
        var slot = slots.FirstOrDefault(s => s.TrialId is null);
        if (slot is null && _rung == 0 && slots.Count < _targets[0])
        {
            slot = new Slot(sample(trialId), null);
            slots.Add(slot);
        }

        if (slot is null)
        {
            return null;
        }

        slot.TrialId = trialId;
        _byTrial[trialId] = slot;
        return new TrialProposal(slot.Parameters, Plan.Rungs[_rung].Budget, slot.ParentTrialId)
        {
            Attributes = Fidelity.Attributes(Number, _rung),
        };
    }

    /// <summary>Takes a trial that an earlier run proposed from this bracket (a replayed history) into its slot.</summary>
    /// <returns>False when the trial does not fit the bracket's current rung (it was planned otherwise).</returns>
    public bool TryAdopt(int trialId, int rung, TrialParameters parameters, int? parentTrialId)
    {
        if (rung != _rung || IsFinished)
        {
            return false;
        }

        var slots = _rungs[_rung];
        var slot = rung == 0
            ? (slots.Count < _targets[0] ? new Slot(parameters, null) : null)
            : slots.FirstOrDefault(s => s.TrialId is null && s.ParentTrialId == parentTrialId);
        if (slot is null)
        {
            return false;
        }

        if (rung == 0)
        {
            slots.Add(slot);
        }

        slot.TrialId = trialId;
        _byTrial[trialId] = slot;
        return true;
    }

    /// <summary>Records a result; when it completes the rung, promotes the best to the next one.</summary>
    public void Complete(int trialId, double loss)
    {
        if (!_byTrial.TryGetValue(trialId, out var slot) || slot.Loss is not null)
        {
            return;
        }

        slot.Loss = loss;
        var slots = _rungs[_rung];
        if (slots.Count < _targets[_rung] || slots.Any(s => s.Loss is null))
        {
            return;
        }

        _rung++;
        if (IsFinished)
        {
            return;
        }

        // Ties go to the earlier trial, so a sequential run is reproducible.
        foreach (var best in slots.Where(s => !double.IsPositiveInfinity(s.Loss!.Value)).OrderBy(s => s.Loss).ThenBy(s => s.TrialId).Take(Plan.Rungs[_rung].Configurations))
        {
            _rungs[_rung].Add(new Slot(best.Parameters, best.TrialId));
        }

        // Failed trials are not promoted, so a rung may hold fewer than planned; one with none ends the bracket.
        _targets[_rung] = _rungs[_rung].Count;
        if (_rungs[_rung].Count == 0)
        {
            _rung = _rungs.Length;
        }
    }

    /// <summary>Rung i holds up to <c>Plan.Rungs[i].Configurations</c> slots; promoted ones carry their parent.</summary>
    private sealed class Slot(TrialParameters parameters, int? parentTrialId)
    {
        public TrialParameters Parameters { get; } = parameters;

        public int? ParentTrialId { get; } = parentTrialId;

        public int? TrialId { get; set; }

        public double? Loss { get; set; }
    }
}
