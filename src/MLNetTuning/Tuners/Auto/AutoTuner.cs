using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// Picks a tuner from the space's properties, the trial budget, parallelism, trial cost and whether the trainers
/// have a budget unit (<see cref="Choose"/>), and may hand over mid-study (the GP to TPE). Every proposal carries
/// the attribute <c>auto</c> (the tuner that made it); the first one, and the first after a hand-over, also
/// <c>auto.reason</c>. The GP weighs expected improvement by predicted trial seconds when trial durations differ
/// widely (see <see cref="GaussianProcessTunerOptions.CostAware"/>); the first proposal made so carries
/// <c>auto.cost</c>, saying why. When the run's budget is known (its trials or time), the GP's proposals in its
/// last tenth go to the lowest predicted loss; the first of them carries <c>auto.final</c>.
/// </summary>
/// <remarks>Both tuners of a hand-over see every completion from the start, so the second one begins with the
/// whole history. A warm start's prior goes to both (<see cref="SetWarmStartPrior"/>).</remarks>
public sealed partial class AutoTuner : IHyperparameterTuner, IWarmStartableTuner
{
    /// <summary>Past this many trials the GP hands over (its fitting cost grows with the cube of the trials).</summary>
    public const int GaussianProcessTrials = 200;

    /// <summary>Continuous runs longer than this go to CMA-ES.</summary>
    public const int LongRunTrials = 1000;

    private readonly IHyperparameterTuner _first;
    private readonly IHyperparameterTuner? _then;
    private readonly HashSet<int> _seen = [];
    private bool _announcedFirst;
    private bool _announcedThen;
    private bool _announcedCost;
    private bool _announcedFinal;

    private AutoTuner(HyperparameterSpace space, AutoTunerChoice choice, AutoTunerOptions options, IHyperparameterTuner first, IHyperparameterTuner? then)
    {
        Space = space;
        Choice = choice;
        _options = options;
        _first = first;
        _then = then;
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <summary>The choice and its reason.</summary>
    public AutoTunerChoice Choice { get; }

    /// <inheritdoc/>
    public bool IsFinished => Active.IsFinished;

    /// <summary>Whether a tuner it wraps takes a warm start's prior (not when the choice is random search).</summary>
    internal bool TakesPrior => _first is IWarmStartableTuner || _then is IWarmStartableTuner;

    private IHyperparameterTuner Active => _then is not null && _seen.Count >= Choice.HandOverAfter ? _then : _first;

    /// <summary>The rules, in order (the first that applies decides); d is the number of searched values.</summary>
    /// <remarks>
    /// <list type="number">
    /// <item>Nothing searched: random.</item>
    /// <item>Trainers with a budget unit and room for a bracket (at least 27 trials, or an open-ended run): ASHA,
    /// budgets 1–27, η = 3.</item>
    /// <item>A third or more of the values are choices: TPE, which models categories natively. Conditional
    /// branches alone do not decide: the GP models them too (a branch selector is a choice, the values of branches
    /// not taken sit at fixed values).</item>
    /// <item>More than 20 values set by one configuration: TPE (a GP needs many trials to learn that many length
    /// scales). In a conditional space that is the values always set plus, under each branch selector, those of
    /// its largest branch: a trial of one trainer never sets another trainer's values.</item>
    /// <item>More than 8 parallel trials: TPE (GP proposals are serialised and cost tens of milliseconds).</item>
    /// <item>Trials under a second: TPE (the GP's proposal would cost more than the trial).</item>
    /// <item>A known budget above 1,000 trials: CMA-ES (long continuous runs).</item>
    /// <item>Otherwise: the GP, handing over to TPE after 200 trials when the run may be longer.</item>
    /// </list>
    /// </remarks>
    public static AutoTunerChoice Choose(HyperparameterSpace space, AutoTunerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        options ??= new AutoTunerOptions();
        var leaves = new TpeLayout(space).Leaves;
        var d = leaves.Length;
        var categorical = leaves.Count(l => l.Kind == TpeLeafKind.Categorical);
        var conditional = leaves.Any(l => l.Parent >= 0);
        var active = MostActive(leaves);
        var budget = options.MaxTrials?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        if (d == 0)
        {
            return new("random", "the space has no searched values");
        }

        if (options.BudgetedTrainers && (options.MaxTrials ?? int.MaxValue) >= 27)
        {
            return new("asha", $"the trainers have a budget unit and the run ({budget} trials) has room for a bracket");
        }

        if (categorical * 3 >= d)
        {
            return new("tpe", $"{categorical} of its {d} values are choices");
        }

        if (active > 20)
        {
            return new("tpe", active == d
                ? $"{d} searched values are too many for a GP at small budgets"
                : $"up to {active} of its {d} searched values are set together, too many for a GP at small budgets");
        }

        if (options.Parallelism > 8)
        {
            return new("tpe", $"{options.Parallelism} parallel trials");
        }

        if (options.SecondsPerTrial < 1)
        {
            return new("tpe", $"trials take {options.SecondsPerTrial.Value.ToString("G3", CultureInfo.InvariantCulture)} s, less than a GP proposal would be worth");
        }

        if (options.MaxTrials > LongRunTrials)
        {
            return new("cmaes", $"a long run ({budget} trials) on {d} numeric values");
        }

        var shape = conditional ? $"mostly numeric values in conditional branches (at most {active} set together)" : "mostly numeric values";
        var reason = $"{d} {shape} and a budget of {budget} trials";
        return options.MaxTrials is int trials && trials <= GaussianProcessTrials
            ? new("gp", reason)
            : new("gp", reason, "tpe", GaussianProcessTrials);
    }

    /// <summary>The most values one configuration sets: those always set plus, under each branch selector, its
    /// largest branch's (counted the same way, for nested branches).</summary>
    private static int MostActive(TpeLeaf[] leaves)
    {
        int Under(int selector, int branch) => Enumerable.Range(0, leaves.Length)
            .Where(i => leaves[i].Parent == selector && (selector < 0 || leaves[i].ParentBranch == branch))
            .Sum(i => 1 + LargestBranch(i));
        int LargestBranch(int selector) => leaves.Where(l => l.Parent == selector).Select(l => l.ParentBranch).Distinct()
            .Select(b => Under(selector, b)).DefaultIfEmpty(0).Max();
        return Under(-1, 0);
    }

    /// <summary>The chosen tuner for a space: an <see cref="AutoTuner"/>, or the multi-fidelity tuner itself when
    /// that is the choice (a scheduler must be seen as one by the experiment).</summary>
    internal static IHyperparameterTuner Create(HyperparameterSpace space, AutoTunerOptions options, int defaultSeed)
    {
        var choice = Choose(space, options);
        var seed = options.Seed ?? defaultSeed;
        if (choice.Tuner == "asha")
        {
            return new AshaTuner(space, new AshaTunerOptions { MinBudget = 1, MaxBudget = 27, ReductionFactor = 3, Seed = seed }, seed);
        }

        return new AutoTuner(space, choice, options, Make(choice.Tuner, space, seed, options), choice.Then is null ? null : Make(choice.Then, space, seed, options));
    }

    /// <inheritdoc/>
    public TrialProposal? Propose(int trialId)
    {
        var active = Active;
        string? finalReason = null;
        if (active is GaussianProcessTuner gp)
        {
            finalReason = FinalTrialsReason(trialId);
            gp.Exploit = finalReason is not null;
        }

        var proposal = active.Propose(trialId);
        if (proposal is null)
        {
            return null;
        }

        _seen.Add(trialId);
        var other = ReferenceEquals(active, _first) ? _then : null;
        other?.ObserveRunning(new TuningTrial(trialId, proposal.Parameters));
        var attributes = new Dictionary<string, string>(proposal.Attributes ?? new Dictionary<string, string>())
        {
            ["auto"] = ReferenceEquals(active, _first) ? Choice.Tuner : Choice.Then!,
        };
        if (!_announcedFirst || (!_announcedThen && !ReferenceEquals(active, _first)))
        {
            attributes["auto.reason"] = Choice.ToString();
            _announcedFirst = true;
            _announcedThen |= !ReferenceEquals(active, _first);
        }

        if (!_announcedFinal && finalReason is not null && attributes.GetValueOrDefault("gp") == "exploit")
        {
            attributes["auto.final"] = finalReason;
            _announcedFinal = true;
        }

        if (!_announcedCost && attributes.TryGetValue("gp.cost", out var cost))
        {
            attributes["auto.cost"] = "cost-aware from here: " + cost;
            _announcedCost = true;
        }

        return proposal with { Attributes = attributes };
    }

    /// <summary>Passes a warm start's prior (or, with null, its removal) on to each wrapped tuner that takes one
    /// (the GP, TPE, CMA-ES), so a hand-over keeps it.</summary>
    public void SetWarmStartPrior(WarmStartPrior? prior)
    {
        (_first as IWarmStartableTuner)?.SetWarmStartPrior(prior);
        (_then as IWarmStartableTuner)?.SetWarmStartPrior(prior);
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => Active.Report(trial, step, loss);

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _seen.Add(trial.Id);
        _first.Complete(trial);
        _then?.Complete(trial);
    }

    /// <inheritdoc/>
    public void ObserveRunning(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _seen.Add(trial.Id);
        _first.ObserveRunning(trial);
        _then?.ObserveRunning(trial);
    }

    private static IHyperparameterTuner Make(string name, HyperparameterSpace space, int seed, AutoTunerOptions options) => name switch
    {
        "gp" => new GaussianProcessTuner(space, new GaussianProcessTunerOptions { TimeBudget = options.TimeBudget }, seed),
        "tpe" => new TpeTuner(space, null, seed),
        "cmaes" => new CmaEsTuner(space, null, seed),
        _ => new RandomTuner(space, null, seed),
    };
}
