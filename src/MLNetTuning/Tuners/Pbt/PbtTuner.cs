using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// Population-based training (Jaderberg et al. 2017): a population of members trains in intervals; after each
/// interval a member in the bottom quantile copies the checkpoint and hyperparameters of a uniformly chosen
/// member of the top quantile (exploit), then perturbs the hyperparameters (explore).
/// </summary>
/// <remarks>
/// <para>Each interval of a member is one trial: <see cref="TuningTrial.Budget"/> is the budget (epochs) the member
/// has reached at its end, and <see cref="TuningTrial.ParentTrialId"/> names the trial whose checkpoint it
/// continues from: the member's own previous interval, or the exploited member's. The objective must load that
/// checkpoint (weights, optimizer state and epoch) and train up to the budget. Attributes
/// <see cref="MemberAttribute"/> and <see cref="NoteAttribute"/> record the member and what was copied and
/// perturbed, so that <see cref="PbtLineage"/> can print and replay the winner's hyperparameter schedule.</para>
/// <para>A member whose trial fails is replaced: it exploits a top member (or, before any member has a result,
/// starts afresh), and the population goes on. <see cref="LiveCheckpointTrialIds"/> tells which checkpoints may
/// still be loaded, so that the others can be deleted and disk use stays bounded.</para>
/// </remarks>
public sealed class PbtTuner : IHyperparameterTuner
{
    /// <summary>Attribute holding the member index.</summary>
    public const string MemberAttribute = "pbt.member";

    /// <summary>Attribute describing how the interval came about.</summary>
    public const string NoteAttribute = "pbt.note";

    internal const string ContinueNote = "continue";

    internal const string StartNote = "start";

    private readonly PbtTunerOptions _options;
    private readonly int _seed;
    private readonly PbtExplorer _explorer;
    private readonly SearchCoordinates _coordinates;
    private readonly Member[] _members;
    private readonly Dictionary<int, Member> _running = [];
    private readonly HashSet<int> _completed = [];

    // The study calls the tuner under its lock, but runners read the checkpoint sets from their own threads.
    private readonly object _gate = new();
    private int _round;

    /// <summary>Creates a PBT tuner.</summary>
    public PbtTuner(HyperparameterSpace space, PbtTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _options = options ?? new PbtTunerOptions();
        if (_options.BurnInPeriod >= _options.MaxBudget)
        {
            throw new ArgumentException($"BurnInPeriod ({_options.BurnInPeriod}) must be less than MaxBudget ({_options.MaxBudget}), or no member could ever be replaced.", nameof(options));
        }

        _seed = _options.Seed ?? defaultSeed;
        _explorer = new PbtExplorer(space, _options.ResampleProbability, _options.PerturbationFactors);
        _coordinates = SearchCoordinates.Of(space);
        _members = Enumerable.Range(0, _options.PopulationSize).Select(i => new Member(i) { Next = Fresh(SeedMixer.Create(_seed, i), StartNote) }).ToArray();
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => _members.All(m => m.Done);

    /// <summary>Trials whose checkpoints may still be loaded: every member's latest, and the parents of intervals about to run.</summary>
    public IReadOnlySet<int> LiveCheckpointTrialIds
    {
        get
        {
            lock (_gate)
            {
                return _members.Select(m => m.Checkpoint).Concat(_members.Select(m => m.Next?.Parent)).Concat(_running.Values.Select(m => m.RunningParent))
                    .OfType<int>().ToHashSet();
            }
        }
    }

    /// <summary>Completed trials whose checkpoints will never be loaded again; a runner deletes these. Trials the
    /// tuner has not yet seen complete are never listed, so deleting them is safe while other trials run.</summary>
    public IReadOnlyCollection<int> ReleasedCheckpointTrialIds
    {
        get
        {
            lock (_gate)
            {
                var live = LiveCheckpointTrialIds;
                return _completed.Where(id => !live.Contains(id)).ToList();
            }
        }
    }

    /// <inheritdoc/>
    public TrialProposal? Propose(int trialId)
    {
        lock (_gate)
        {
            return ProposeLocked(trialId);
        }
    }

    private TrialProposal? ProposeLocked(int trialId)
    {
        // The member furthest behind goes first, as Ray time-multiplexes a population larger than the parallelism.
        var member = _members.Where(m => m.Next is not null && m.RunningTrial is null && !m.Done).MinBy(m => (m.Next!.StartBudget, m.Index));
        if (member is null)
        {
            return null;
        }

        var next = member.Next!;
        member.Next = null;
        member.RunningTrial = trialId;
        member.RunningParent = next.Parent;
        _running[trialId] = member;
        var budget = Math.Min(next.StartBudget + _options.PerturbationInterval, _options.MaxBudget);
        return new TrialProposal(next.Parameters, budget, next.Parent)
        {
            Attributes = new Dictionary<string, string>
            {
                [MemberAttribute] = member.Index.ToString(CultureInfo.InvariantCulture),
                [NoteAttribute] = next.Note,
            },
        };
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        lock (_gate)
        {
            CompleteLocked(trial);
        }
    }

    private void CompleteLocked(TuningTrial trial)
    {
        _completed.Add(trial.Id);
        if (!_running.Remove(trial.Id, out var member))
        {
            // A trial replayed from a store: it belongs to the member its attribute names.
            if (!trial.Attributes.TryGetValue(MemberAttribute, out var index) || !int.TryParse(index, CultureInfo.InvariantCulture, out var i) || i < 0 || i >= _members.Length)
            {
                return;
            }

            member = _members[i];
            member.Next = null;
        }

        member.RunningTrial = null;
        member.RunningParent = null;
        if (trial.State == TrialState.Failed || trial.Loss is not double loss)
        {
            member.Failed = true;
        }
        else
        {
            member.Failed = false;
            member.Loss = loss;
            member.Checkpoint = trial.Id;
            member.Budget = trial.Budget ?? member.Budget;
            member.Parameters = trial.Parameters;
            member.Done = member.Budget >= _options.MaxBudget;
        }

        var random = SeedMixer.Create(_seed, 1_000_000L + trial.Id);
        if (!_options.Synchronous)
        {
            Decide(member, random);
            return;
        }

        // Synchronous: decide for everyone once the whole population has finished the interval.
        if (_members.All(m => m.Done || (m.RunningTrial is null && m.Next is null)))
        {
            var roundRandom = SeedMixer.Create(_seed, 2_000_000L + _round++);
            foreach (var m in _members.Where(m => !m.Done))
            {
                Decide(m, roundRandom);
            }
        }
    }

    private void Decide(Member member, Random random)
    {
        if (member.Done)
        {
            return;
        }

        var (bottom, top) = Quantiles();
        var donors = top.Where(d => d != member && !d.Done && d.Checkpoint is not null).ToList();
        var mustReplace = member.Failed || member.Parameters is null;
        var mayReplace = member.Budget >= _options.BurnInPeriod && bottom.Contains(member);
        if ((mustReplace || mayReplace) && donors.Count > 0)
        {
            var donor = donors[random.Next(donors.Count)];
            var changes = new List<string>();
            var parameters = _explorer.Explore(donor.Parameters!, random, changes);
            var why = member.Failed ? "replaces a failed member: " : "";
            var note = $"{why}exploit trial {donor.Checkpoint} (member {donor.Index}, {donor.Budget:G4} epochs); explore: {(changes.Count == 0 ? "unchanged" : string.Join("; ", changes))}";
            member.Next = new Pending(parameters, donor.Checkpoint, donor.Budget, note);
        }
        else if (mustReplace)
        {
            // Nobody to copy from yet: start this member again from scratch with new values.
            member.Next = Fresh(random, "restart after a failure");
            member.Budget = 0;
            member.Checkpoint = null;
        }
        else
        {
            member.Next = new Pending(member.Parameters!, member.Checkpoint, member.Budget, ContinueNote);
        }

        member.Failed = false;
    }

    /// <summary>Ray Tune's quantiles: members with a result sorted by loss, ⌈n·q⌉ at each end, at most ⌊n/2⌋.</summary>
    private (List<Member> Bottom, List<Member> Top) Quantiles()
    {
        var scored = _members.Where(m => m.Loss is not null && !m.Failed).OrderBy(m => m.Loss).ThenBy(m => m.Index).ToList();
        if (scored.Count <= 1)
        {
            return ([], []);
        }

        var k = (int)Math.Ceiling(scored.Count * _options.QuantileFraction);
        k = Math.Min(k, scored.Count / 2);
        return (scored.TakeLast(k).ToList(), scored.Take(k).ToList());
    }

    private Pending Fresh(Random random, string note)
    {
        var coordinates = new double[Space.Dimension];
        for (var i = 0; i < coordinates.Length; i++)
        {
            coordinates[i] = random.NextDouble();
        }

        return new Pending(_coordinates.Decode(coordinates), null, 0, note);
    }

    private sealed record Pending(TrialParameters Parameters, int? Parent, double StartBudget, string Note);

    private sealed class Member(int index)
    {
        public int Index { get; } = index;

        public Pending? Next { get; set; }

        public int? RunningTrial { get; set; }

        public int? RunningParent { get; set; }

        public TrialParameters? Parameters { get; set; }

        public double? Loss { get; set; }

        public int? Checkpoint { get; set; }

        public double Budget { get; set; }

        public bool Done { get; set; }

        public bool Failed { get; set; }
    }
}
