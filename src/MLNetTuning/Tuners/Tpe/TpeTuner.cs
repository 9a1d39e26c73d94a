using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// Tree-structured Parzen estimator (Bergstra et al. 2011) with Optuna's defaults and rules. After
/// <see cref="TpeTunerOptions.StartupTrials"/> startup trials, the finished trials are split into the best
/// γ share ("good", at most 25) and the rest ("bad"); each side gets a Parzen estimator, and the proposal is
/// the candidate, among <see cref="TpeTunerOptions.CandidateCount"/> drawn from the good density, with the
/// highest ratio good/bad.
/// </summary>
/// <remarks>
/// <para>Numbers are modelled with truncated normal kernels in their log or linear domain (integers on unit
/// bins widened by half a step), choices and branch selectors with Optuna's categorical kernel (prior share
/// on every category, one more on the observed one). Kernel weights, the prior kernel, the bandwidth rule
/// and its magic clip are Optuna's.</para>
/// <para>By default the parameters of a group (those active under the same condition) are modelled jointly
/// with product kernels, the good density's widths by Optuna's neighbour rule per dimension, the bad
/// density's by Optuna's multivariate (Scott) rule, and the startup trials
/// form a Latin hypercube; <c>Multivariate = false, LatinHypercubeStartup = false</c> gives Optuna's default
/// independent TPE, <c>GoodBandwidth = BadBandwidth = Scott</c> Optuna's multivariate TPE. Parameters inside a
/// branch of a <see cref="ConditionalChoice"/> are fitted only on trials that took that branch.</para>
/// <para>Completed trials rank by loss; pruned trials rank after every completed one, those that got further
/// first, then by their last reported loss (Optuna's rule). Failed trials are ignored. With
/// <see cref="TpeTunerOptions.ConstantLiar"/>, trials still running count as bad observations.</para>
/// <para>Trial <c>k</c> draws from its own stream of the seed, so the same seed and the same history give
/// the same proposal.</para>
/// </remarks>
public sealed class TpeTuner : IHyperparameterTuner, IWarmStartableTuner
{
    private readonly TpeTunerOptions _options;
    private readonly int _seed;
    private readonly TpeLayout _layout;
    private readonly TpeHistory _history;
    private readonly Dictionary<int, int[]> _strata = [];
    private TpePrior? _prior;

    /// <summary>Creates a TPE tuner.</summary>
    /// <param name="space">The space to search.</param>
    /// <param name="options">Options; the defaults of <see cref="TpeTunerOptions"/> when null.</param>
    /// <param name="defaultSeed">The seed used when <paramref name="options"/> gives none.</param>
    public TpeTuner(HyperparameterSpace space, TpeTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _options = options?.Clone() ?? new TpeTunerOptions();
        _seed = _options.Seed ?? defaultSeed;
        _layout = new TpeLayout(space);
        _history = new TpeHistory(_layout.Leaves.Length);
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <summary>Whether the tuner models parameters jointly.</summary>
    public bool Multivariate => _options.Multivariate;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        var random = SeedMixer.Create(_seed, trialId);
        var leaves = _layout.Leaves;
        var values = new double[leaves.Length];
        Array.Fill(values, double.NaN);
        // A warm start's prior stands in for the startup trials: the model is fitted from the first proposal.
        var priorWeight = _prior?.Weight(_history.FinishedCount) ?? 0;
        var modelled = _history.FinishedCount >= Math.Max(1, _options.StartupTrials) || priorWeight > 0;
        if (!modelled)
        {
            var slot = _history.FinishedCount + _history.RunningCount;
            var latin = _options.LatinHypercubeStartup && slot < _options.StartupTrials;
            for (var i = 0; i < leaves.Length; i++)
            {
                if (_layout.IsActive(i, values))
                {
                    var u = latin ? (StartupStrata(i)[slot] + random.NextDouble()) / _options.StartupTrials : random.NextDouble();
                    values[i] = FromUniform(leaves[i], u);
                }
            }
        }
        else
        {
            var good = _history.SelectGood(Math.Min((int)Math.Ceiling(_options.GoodFraction * _history.FinishedCount), _options.MaxGoodTrials));
            if (_options.Multivariate)
            {
                foreach (var group in _layout.Groups)
                {
                    if (_layout.IsActive(group[0], values))
                    {
                        SampleGroup(group, good, random, values, priorWeight);
                    }
                }
            }
            else
            {
                for (var i = 0; i < leaves.Length; i++)
                {
                    if (_layout.IsActive(i, values))
                    {
                        SampleGroup([i], good, random, values, priorWeight);
                    }
                }
            }
        }

        _history.AddRunning(trialId, values);
        return new TrialProposal(_layout.Decode(values))
        {
            Attributes = new Dictionary<string, string> { ["tpe"] = modelled ? "model" : "startup" },
        };
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.State == TrialState.Completed && trial.Loss is double loss && double.IsFinite(loss))
        {
            _history.AddFinished(trial.Id, EncodeTrial(trial), loss, pruned: false, lastStep: 0);
        }
        else if (trial.State == TrialState.Pruned)
        {
            // A pruned trial without any report ranks last, as if it never got anywhere.
            var reported = trial.Loss is double l && double.IsFinite(l);
            var lastStep = reported && trial.IntermediateValues.Count > 0 ? trial.IntermediateValues.Keys.Max() : -1;
            _history.AddFinished(trial.Id, EncodeTrial(trial), reported ? trial.Loss!.Value : double.PositiveInfinity, pruned: true, lastStep);
        }
        else
        {
            _history.Remove(trial.Id);
        }
    }

    /// <inheritdoc/>
    public void ObserveRunning(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _history.AddRunning(trial.Id, EncodeTrial(trial));
    }

    private double[] EncodeTrial(TuningTrial trial)
    {
        try
        {
            return _layout.Encode(trial.Parameters);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Trial {trial.Id} does not belong to the tuner's search space: {e.Message}", nameof(trial), e);
        }
    }

    /// <summary>Only the neighbour rule needs the observations in value order.</summary>
    private bool NeedsOrders(TpeBandwidth rule) => !_options.Multivariate || rule == TpeBandwidth.Neighbours;

    /// <inheritdoc/>
    public void SetWarmStartPrior(WarmStartPrior? prior) =>
        _prior = prior is null ? null : new TpePrior(prior, _layout, _options.GoodFraction, _options.MaxGoodTrials);

    private void SampleGroup(int[] group, bool[] good, Random random, double[] values, double priorWeight)
    {
        var leaves = group.Select(i => _layout.Leaves[i]).ToArray();
        var withPrior = priorWeight > 0 && _prior is not null;
        var belowColumns = _history.Columns(group, good, wantGood: true, withRunning: false, NeedsOrders(_options.GoodBandwidth) && !withPrior, out var belowOrders);
        var aboveColumns = _history.Columns(group, good, wantGood: false, withRunning: _options.ConstantLiar, NeedsOrders(_options.BadBandwidth) && !withPrior, out var aboveOrders);
        int belowPrior = 0, abovePrior = 0;
        if (withPrior)
        {
            belowColumns = _prior!.Append(belowColumns, group, wantGood: true, out belowPrior);
            aboveColumns = _prior.Append(aboveColumns, group, wantGood: false, out abovePrior);
        }

        var below = new ParzenEstimator(leaves, belowColumns, _options, belowOrders, _options.GoodBandwidth, belowPrior, priorWeight);
        var above = new ParzenEstimator(leaves, aboveColumns, _options, aboveOrders, _options.BadBandwidth, abovePrior, priorWeight);
        var scratch = new double[Math.Max(below.KernelCount, above.KernelCount)];
        var candidate = new double[group.Length];
        var best = new double[group.Length];
        var bestScore = double.NegativeInfinity;

        // Kernels are picked by systematic resampling (evenly spaced quantiles of the weights from one random
        // offset): the same distribution as independent picks, with every good kernel getting its share.
        var offset = random.NextDouble();
        for (var c = 0; c < _options.CandidateCount; c++)
        {
            below.Sample(random, candidate, (c + offset) / _options.CandidateCount);
            var score = below.LogDensity(candidate, scratch) - above.LogDensity(candidate, scratch);
            if (c == 0 || score > bestScore)
            {
                bestScore = score;
                candidate.CopyTo(best, 0);
            }
        }

        for (var d = 0; d < group.Length; d++)
        {
            values[group[d]] = best[d];
        }
    }

    /// <summary>A seeded permutation of the startup strata of one leaf (a Latin hypercube over the startup trials).</summary>
    private int[] StartupStrata(int leaf)
    {
        if (!_strata.TryGetValue(leaf, out var strata))
        {
            strata = Enumerable.Range(0, _options.StartupTrials).ToArray();
            SeedMixer.Create(_seed, -1 - (long)leaf).Shuffle(strata);
            _strata[leaf] = strata;
        }

        return strata;
    }

    private static double FromUniform(TpeLeaf leaf, double u)
    {
        if (leaf.Kind == TpeLeafKind.Categorical)
        {
            return Math.Min((int)(u * leaf.Categories), leaf.Categories - 1);
        }

        var x = leaf.Low + (u * (leaf.High - leaf.Low));
        return leaf.Kind == TpeLeafKind.Integer ? leaf.Discretise(x) : x;
    }
}
