using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>How <see cref="AshaTuner"/> gives good configurations more budget.</summary>
public enum AshaMode
{
    /// <summary>Pause and resume: every trial runs one rung; a promotion is a new trial at the next rung's budget
    /// whose <see cref="TrialProposal.ParentTrialId"/> is the paused lower-rung trial to continue from.</summary>
    Promotion,

    /// <summary>Early stopping: every trial is proposed at the full budget, reports each budget unit as a step,
    /// and is told to stop at a rung where it is not in the top 1/η of the values recorded there.</summary>
    Stopping,
}

/// <summary>Options of <see cref="AshaTuner"/>.</summary>
public sealed class AshaTunerOptions : MultiFidelityOptions
{
    /// <summary>Promotion (default) or stopping.</summary>
    public AshaMode Mode { get; set; } = AshaMode.Promotion;

    /// <summary>What proposes new configurations: uniform draws (default), or a TPE fitted on the results of the
    /// largest budget with at least d + 2 of them (d searched values, at least 4), as BOHB's model is.</summary>
    public ProposalModel Model { get; set; } = ProposalModel.Random;

    /// <summary>Promotion mode: once a rung's ranking is shown not to carry over to the next rung (rank correlation
    /// below <see cref="AshaTuner.MinRankCorrelation"/> over at least <see cref="AshaTuner.MinRankPairs"/>
    /// configurations trained at both), new configurations start above it and nothing is promoted from it or below.
    /// Default false.</summary>
    public bool SkipUninformativeRungs { get; set; }
}

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020). Rungs k = 0 … K (K = ⌊log_η(max/min)⌋) have budgets
/// MaxBudget · η^(k−K). It never waits for a rung to fill: in the promotion mode, each proposal promotes the
/// best not-yet-promoted trial that is in the top ⌊n_k/η⌋ of its rung k (looking from the highest rung down),
/// and otherwise starts a new random configuration at rung 0. In the stopping mode see <see cref="AshaMode.Stopping"/>.
/// </summary>
/// <remarks>Trials carry the attributes "bracket" (always 0) and "rung". A reopened study rebuilds the rungs
/// from its trials' "rung" attributes.</remarks>
public sealed class AshaTuner : IMultiFidelityTuner
{
    private readonly IConfigurationSampler _sampler;
    private readonly bool _skipUninformativeRungs;
    private readonly Dictionary<int, double> _lossOfTrial = [];
    private readonly List<(double Lower, double Upper)>[] _pairs;
    private int _startRung;
    private readonly double _eta;
    private readonly double[] _budgets;
    private readonly List<RungEntry>[] _rungs;
    private readonly HashSet<int>[] _promoted;
    private readonly Dictionary<int, int> _rungOfTrial = [];
    private readonly Dictionary<int, double>[] _milestones;

    /// <summary>Creates the tuner.</summary>
    /// <exception cref="ArgumentException">MaxBudget is below MinBudget.</exception>
    public AshaTuner(HyperparameterSpace space, AshaTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        options ??= new AshaTunerOptions();
        options.ValidateRange();
        MinBudget = options.MinBudget;
        MaxBudget = options.MaxBudget;
        Mode = options.Mode;
        _eta = options.ReductionFactor;
        var seed = options.Seed ?? defaultSeed;
        _sampler = options.Model == ProposalModel.Tpe ? new ModelConfigurationSampler(space, seed) : new UniformConfigurationSampler(space, seed);
        _skipUninformativeRungs = options.SkipUninformativeRungs && options.Mode == AshaMode.Promotion;
        var top = BracketPlan.MaxHalvings(MinBudget, MaxBudget, _eta);
        _budgets = Enumerable.Range(0, top + 1).Select(k => Math.Clamp(MaxBudget / Math.Pow(_eta, top - k), MinBudget, MaxBudget)).ToArray();
        _rungs = _budgets.Select(_ => new List<RungEntry>()).ToArray();
        _promoted = _budgets.Select(_ => new HashSet<int>()).ToArray();
        _milestones = _budgets.Select(_ => new Dictionary<int, double>()).ToArray();
        _pairs = _budgets.Select(_ => new List<(double, double)>()).ToArray();
    }

    /// <summary>Configurations trained at a rung and the next before the rung's ranking is judged.</summary>
    public const int MinRankPairs = 8;

    /// <summary>The Spearman rank correlation between a rung's losses and the next rung's below which the rung is
    /// judged not to predict the next one.</summary>
    public const double MinRankCorrelation = 0.2;

    /// <summary>The rung new configurations start at: 0, or higher once lower rungs are skipped.</summary>
    public int StartRung => _startRung;

    /// <summary>The budget new configurations are modelled on, or null while they are drawn uniformly.</summary>
    public double? ModelBudget => (_sampler as ModelConfigurationSampler)?.ModelBudget;

    /// <summary>Promotion or stopping.</summary>
    public AshaMode Mode { get; }

    /// <summary>η.</summary>
    internal double ReductionFactor => _eta;

    /// <inheritdoc/>
    public IReadOnlyList<double> RungBudgets => _budgets;

    /// <inheritdoc/>
    public bool StopsOnReports => Mode == AshaMode.Stopping;

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public double MinBudget { get; }

    /// <inheritdoc/>
    public double MaxBudget { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        if (Mode == AshaMode.Promotion)
        {
            for (var k = _rungs.Length - 2; k >= _startRung; k--)
            {
                var quota = (int)Math.Floor((_rungs[k].Count / _eta) + 1e-9);
                var candidate = _rungs[k]
                    .Where(e => !double.IsPositiveInfinity(e.Loss))
                    .OrderBy(e => e.Loss).ThenBy(e => e.TrialId)
                    .Take(quota)
                    .FirstOrDefault(e => !_promoted[k].Contains(e.TrialId));
                if (candidate is not null)
                {
                    _promoted[k].Add(candidate.TrialId);
                    _rungOfTrial[trialId] = k + 1;
                    return new TrialProposal(candidate.Parameters, _budgets[k + 1], candidate.TrialId) { Attributes = Fidelity.Attributes(0, k + 1) };
                }
            }
        }

        _rungOfTrial[trialId] = _startRung;
        var parameters = _sampler.Sample(trialId);
        return new TrialProposal(parameters, Mode == AshaMode.Promotion ? _budgets[_startRung] : MaxBudget) { Attributes = Fidelity.Attributes(0, _startRung) };
    }

    /// <inheritdoc/>
    /// <remarks>In the stopping mode, <paramref name="step"/> counts budget units trained; the first report at or
    /// past a rung's budget is that rung's value for the trial.</remarks>
    public TrialDecision Report(TuningTrial trial, int step, double loss)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (Mode != AshaMode.Stopping)
        {
            return TrialDecision.Continue;
        }

        var decision = TrialDecision.Continue;
        for (var k = 0; k < _budgets.Length - 1; k++)
        {
            if (step + 1e-9 < _budgets[k] || _milestones[k].ContainsKey(trial.Id))
            {
                continue;
            }

            _milestones[k][trial.Id] = loss;
            if (loss > Quantile(_milestones[k].Values, 1 / _eta))
            {
                decision = TrialDecision.Stop;
            }
        }

        return decision;
    }

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _sampler.Observe(trial);
        if (Mode == AshaMode.Stopping)
        {
            return;
        }

        if (!_rungOfTrial.Remove(trial.Id, out var rung))
        {
            // A replayed trial: its attributes say where it ran.
            if (!trial.Attributes.TryGetValue("rung", out var text) || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out rung) || rung < 0 || rung >= _rungs.Length)
            {
                return;
            }

            if (rung > 0 && trial.ParentTrialId is int parent)
            {
                _promoted[rung - 1].Add(parent);
            }
        }

        var loss = Fidelity.RankingLoss(trial);
        _rungs[rung].Add(new RungEntry(trial.Id, trial.Parameters, loss));
        _lossOfTrial[trial.Id] = loss;
        if (rung > 0 && trial.ParentTrialId is int from && _lossOfTrial.TryGetValue(from, out var lower) && double.IsFinite(lower) && double.IsFinite(loss))
        {
            _pairs[rung - 1].Add((lower, loss));
            if (_skipUninformativeRungs && rung - 1 >= _startRung && _pairs[rung - 1].Count >= MinRankPairs && SpearmanCorrelation(_pairs[rung - 1]) < MinRankCorrelation)
            {
                // Everything at or below an uninformative rung only feeds it: start above it.
                _startRung = rung;
                if (_sampler is ModelConfigurationSampler model)
                {
                    model.MinModelBudget = _budgets[rung];
                }
            }
        }
    }

    /// <summary>Spearman's rank correlation (ties get their mean rank); 0 when either side is constant.</summary>
    internal static double SpearmanCorrelation(IReadOnlyList<(double X, double Y)> pairs)
    {
        var rho = RankCorrelation.Spearman(pairs);
        return double.IsNaN(rho) ? 0 : rho;
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (NumPy's default).</summary>
    internal static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    private sealed record RungEntry(int TrialId, TrialParameters Parameters, double Loss);
}
