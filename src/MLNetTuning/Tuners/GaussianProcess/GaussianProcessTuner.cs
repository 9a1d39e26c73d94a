using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// Bayesian optimisation with a Gaussian process: a Matérn-5/2 kernel with one length scale per searched value,
/// its amplitude, length scales and noise fitted by maximum a posteriori marginal likelihood, and the next trial
/// chosen by maximising log expected improvement (multi-start quasi-Newton over the unit cube).
/// </summary>
/// <remarks>
/// <para>The first trial of a study that has seen none (nothing enqueued, warm started or resumed) is the space's
/// defaults: for the presets, ML.NET's own trainer defaults, so a run never ends worse than them and the search
/// starts from a configuration known to be sensible, as AutoML.NET's, FLAML's and our CMA-ES's and GA's do. The
/// rest of the first <see cref="GaussianProcessTunerOptions.StartupTrials"/> trials form a Latin hypercube. Losses
/// are standardised and warped by a Yeo–Johnson transform before fitting, then shifted so the worst is 0: the
/// model's prior mean is the worst loss seen, so far from the trials it predicts a bad loss and the search
/// stays near good trials instead of filling the box's corners.</para>
/// <para>Numbers are modelled on their (log-)transformed range scaled to [0, 1]; integers are relaxed while the
/// acquisition is climbed and rounded before it is compared, so every candidate is scored where it will be
/// evaluated. Choices and branch selectors are one-hot blocks with one length scale each (an overlap kernel), and
/// are optimised by trying every category. Leaves of branches a trial did not take sit at fixed values, so the
/// branches share what they have in common.</para>
/// <para>Completed trials count with their loss, pruned trials with their last reported loss; failed trials are
/// ignored. Running trials count at the worst loss seen (constant liar), so parallel proposals spread out.</para>
/// <para>The kernel's hyperparameters are refitted from the last fit at every proposal while there are at most 100
/// trials, and then after every n/25 new trials. Past <see cref="GaussianProcessTunerOptions.MaxModelTrials"/>
/// trials the model is fitted on a subset, which the proposal's attributes say.</para>
/// <para>When completed trials' durations differ widely, log EI is weighed by a second GP's predicted seconds,
/// with cost cooling (<see cref="GaussianProcessTunerOptions.CostAware"/>, <see cref="TrialCostModel"/>); such
/// proposals carry the attribute <c>gp.cost</c>.</para>
/// <para>In the last tenth of a known budget, <see cref="AutoTuner"/> has its GP propose the lowest predicted loss
/// instead of the highest expected improvement; such proposals carry <c>gp = exploit</c>.</para>
/// <para>A warm start's prior (<see cref="SetWarmStartPrior"/>) gives the model a prior mean from the source
/// study's trials (<see cref="GaussianProcessPrior"/>); such proposals carry the attribute <c>gp.prior</c>.</para>
/// </remarks>
public sealed class GaussianProcessTuner : IHyperparameterTuner, IWarmStartableTuner
{
    /// <summary>While a prior is on, the model is used from this many own finished trials (the residual's standardisation needs two).</summary>
    private const int PriorStartupTrials = 2;

    private readonly GaussianProcessTunerOptions _options;
    private readonly int _seed;
    private readonly GaussianProcessEncoding _encoding;
    private readonly GaussianProcessModel _model;
    private readonly List<(int Id, double[] Point, double Loss)> _finished = [];
    private readonly TrialCostModel? _cost;
    private readonly List<(int Id, double[] Point, double Seconds)> _timed = [];
    private DateTimeOffset? _firstStart;
    private DateTimeOffset? _lastEnd;
    private readonly SortedDictionary<int, double[]> _running = [];
    private readonly Dictionary<int, int[]> _strata = [];
    private double[] _theta;
    private int _fittedOn; // finished trials at the last hyperparameter fit
    private GaussianProcessPrior? _prior;

    /// <summary>Creates a GP tuner.</summary>
    /// <param name="space">The space to search.</param>
    /// <param name="options">Options; the defaults of <see cref="GaussianProcessTunerOptions"/> when null.</param>
    /// <param name="defaultSeed">The seed used when <paramref name="options"/> gives none.</param>
    public GaussianProcessTuner(HyperparameterSpace space, GaussianProcessTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _options = options?.Clone() ?? new GaussianProcessTunerOptions();
        _seed = _options.Seed ?? defaultSeed;
        _encoding = new GaussianProcessEncoding(space);
        _model = new GaussianProcessModel(_encoding.GroupOfFeature);
        _theta = GaussianProcessModel.DefaultTheta(_model.Groups);
        _cost = _options.CostAware ? new TrialCostModel(_encoding.GroupOfFeature) : null;
        StartupTrials = _options.StartupTrials ?? Math.Clamp(_encoding.Leaves + 1, 4, 10);
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <summary>The number of startup trials (the option, or its default for this space).</summary>
    public int StartupTrials { get; }

    /// <summary>Whether model proposals go to the lowest posterior mean instead of the highest expected improvement:
    /// set by <see cref="AutoTuner"/> for the last trials of a known budget, where exploring no longer pays.</summary>
    internal bool Exploit { get; set; }

    /// <summary>The model of the last proposal (for tests).</summary>
    internal GaussianProcessModel Model => _model;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        var random = SeedMixer.Create(_seed, trialId);
        var attributes = new Dictionary<string, string>();
        double[]? point = null;
        var priorScale = _prior?.Scale(_finished.Count) ?? 0;
        var startup = priorScale > 0 ? Math.Min(StartupTrials, PriorStartupTrials) : StartupTrials;
        if (_finished.Count >= startup && _encoding.Leaves > 0)
        {
            point = ModelProposal(random, attributes, priorScale);
        }

        if (point is null && _finished.Count == 0 && _running.Count == 0)
        {
            point = _encoding.Encode(Space.Defaults);
            attributes["gp"] = "defaults";
        }

        if (point is null)
        {
            point = Startup(random);
            attributes["gp"] = "startup";
        }

        _running[trialId] = point;
        return new TrialProposal(_encoding.Decode(point)) { Attributes = attributes };
    }

    /// <summary>Sets (or, with null, removes) a warm start's prior: the source trials' GP mean becomes the prior mean
    /// of this GP, scaled by the prior's weight relative to its first weight (see <see cref="GaussianProcessPrior"/>).</summary>
    /// <remarks>While it weighs more than 0, the model is used from the second own finished trial (usually the
    /// re-evaluated source trials) instead of after the Latin hypercube. A prior switched off before the first model
    /// proposal leaves every proposal as without it.</remarks>
    public void SetWarmStartPrior(WarmStartPrior? prior) =>
        _prior = prior is null ? null : new GaussianProcessPrior(prior, _encoding, _options.MaxModelTrials);

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _running.Remove(trial.Id);
        _finished.RemoveAll(f => f.Id == trial.Id);
        _timed.RemoveAll(t => t.Id == trial.Id);
        var counts = trial.State is TrialState.Completed or TrialState.Pruned;
        if (counts && trial.Loss is double loss && double.IsFinite(loss))
        {
            _finished.Add((trial.Id, EncodeTrial(trial), loss));
        }

        if (trial.CompletedAt is DateTimeOffset end)
        {
            _firstStart = _firstStart is null || trial.StartedAt < _firstStart ? trial.StartedAt : _firstStart;
            _lastEnd = _lastEnd is null || end > _lastEnd ? end : _lastEnd;
            if (trial.State == TrialState.Completed && trial.Duration is { } duration && duration > TimeSpan.Zero)
            {
                // Only full runs measure a configuration's cost: a pruned or failed trial stopped part-way.
                _timed.Add((trial.Id, EncodeTrial(trial), duration.TotalSeconds));
            }
        }
    }

    /// <inheritdoc/>
    public void ObserveRunning(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _running[trial.Id] = EncodeTrial(trial);
    }

    /// <summary>Fits the model on the finished trials (a subset past the cap) and conditions it on the running ones.</summary>
    /// <returns>The incumbent (lowest warped loss) and the modelled trials, best first.</returns>
    /// <param name="attributes">The proposal's attributes.</param>
    /// <param name="priorScale">The prior mean's scale (see <see cref="GaussianProcessPrior"/>); 0 for none.</param>
    internal (double Incumbent, List<double[]> Good) FitModel(Dictionary<string, string> attributes, double priorScale = 0)
    {
        var used = _finished;
        if (_finished.Count > _options.MaxModelTrials)
        {
            var best = _finished.OrderBy(f => f.Loss).ThenBy(f => f.Id).Take(_options.MaxModelTrials / 2).ToList();
            var chosen = best.Select(b => b.Id).ToHashSet();
            var recent = _finished.Where(f => !chosen.Contains(f.Id)).OrderByDescending(f => f.Id)
                .Take(_options.MaxModelTrials - best.Count);
            used = [.. best, .. recent];
            attributes["gp.subset"] = string.Create(CultureInfo.InvariantCulture, $"fitted on {used.Count} of {_finished.Count} trials (best {best.Count} and latest {used.Count - best.Count})");
        }

        var n = used.Count;
        var features = _encoding.FeatureCount;
        var x = new double[(n + _running.Count) * features];
        for (var i = 0; i < n; i++)
        {
            _encoding.Features(used[i].Point, x.AsSpan(i * features, features));
        }

        // The model is zero-mean on losses shifted so the worst is 0: its prior mean is the worst loss seen. Far from
        // the data it then predicts a bad loss, so expected improvement favours the neighbourhoods of good trials
        // over the box's empty corners, where a mean-centred GP keeps sending trials in more than a few dimensions
        // (De Ath, Fieldsend and Everson 2020, "What do you mean? The role of the mean function in Bayesian optimisation").
        var y = TargetWarp.Apply(used.Select(u => u.Loss).ToList());
        var worst = y.Max();
        for (var i = 0; i < y.Length; i++)
        {
            y[i] -= worst;
        }

        var warped = y;
        _model.Prior = priorScale > 0 ? _prior : null;
        if (_model.Prior is not null)
        {
            // The model fits the residuals from the source's mean (in place of the worst loss); predictions add it back.
            var means = _prior!.Centre(x, y, n, priorScale);
            y = y.Select((v, i) => v - means[i]).ToArray();
            attributes["gp.prior"] = string.Create(CultureInfo.InvariantCulture, $"source mean × {priorScale:G3}");
        }

        var refit = n <= 100 || _finished.Count - _fittedOn >= _finished.Count / 25;
        if (refit)
        {
            var iterations = n <= 100 ? 50 : 20;
            var warm = _model.Fit(x, y, n, _theta, iterations);
            var theta = _model.Theta;
            if (n <= 60)
            {
                // A fresh start as well while fits are cheap, so an early poor optimum is not carried forward.
                var fresh = _model.Fit(x, y, n, GaussianProcessModel.DefaultTheta(_model.Groups), iterations);
                if (warm <= fresh)
                {
                    _model.Condition(x, y, n, theta);
                }
            }

            _theta = _model.Theta;
            _fittedOn = _finished.Count;
        }

        var incumbent = warped.Min();
        if (_options.ConstantLiar && _running.Count > 0)
        {
            var lie = warped.Max();
            var all = new double[n + _running.Count];
            y.CopyTo(all, 0);
            var r = n;
            foreach (var point in _running.Values)
            {
                _encoding.Features(point, x.AsSpan(r * features, features));
                all[r] = _model.Prior is null ? lie : lie - _model.Prior.Mean(x.AsSpan(r * features, features), []);
                r++;
            }

            _model.Condition(x, all, all.Length, _theta);
        }
        else
        {
            _model.Condition(x, y, n, _theta);
        }

        var good = Enumerable.Range(0, n).OrderBy(i => warped[i]).Select(i => used[i].Point).ToList();
        return (incumbent, good);
    }

    private double[]? ModelProposal(Random random, Dictionary<string, string> attributes, double priorScale)
    {
        var (incumbent, good) = FitModel(attributes, priorScale);
        var acquisition = new GaussianProcessAcquisition(_encoding, _model, incumbent, Exploit ? null : FitCost(attributes), Exploit);
        var taken = _finished.Select(f => f.Point).Concat(_running.Values).ToList();
        var large = _model.Count > 100;
        var point = acquisition.Optimise(good, taken, random, rawCount: large ? 256 : 512, starts: large ? 4 : 6);
        if (point is not null)
        {
            attributes["gp"] = Exploit ? "exploit" : "model";
        }

        return point;
    }

    /// <summary>The cost model when trial costs count (see <see cref="TrialCostModel"/>), fitted on the latest timed trials; else null.</summary>
    private TrialCostModel? FitCost(Dictionary<string, string> attributes)
    {
        if (_cost is null)
        {
            return null;
        }

        var timed = _timed.Count > _options.MaxModelTrials ? _timed[^_options.MaxModelTrials..] : _timed;
        var features = _encoding.FeatureCount;
        var x = new double[timed.Count * features];
        for (var i = 0; i < timed.Count; i++)
        {
            _encoding.Features(timed[i].Point, x.AsSpan(i * features, features));
        }

        var spent = (_lastEnd - _firstStart)?.TotalSeconds ?? 0;
        var reason = _cost.Fit(x, timed.Select(t => t.Seconds).ToList(), spent, _options.TimeBudget?.TotalSeconds);
        if (reason is null)
        {
            return null;
        }

        attributes["gp.cost"] = reason;
        return _cost.Alpha > 0 ? _cost : null;
    }

    /// <summary>A Latin-hypercube point while slots remain, then uniform draws.</summary>
    private double[] Startup(Random random)
    {
        var slot = _finished.Count + _running.Count;
        var point = new double[_encoding.Leaves];
        for (var i = 0; i < point.Length; i++)
        {
            var u = slot < StartupTrials ? (Strata(i)[slot] + random.NextDouble()) / StartupTrials : random.NextDouble();
            point[i] = _encoding.IsCategorical(i) ? Math.Min((int)(u * _encoding.Categories(i)), _encoding.Categories(i) - 1) : u;
        }

        var full = (double[])point.Clone();
        _encoding.Normalise(point, full);
        _encoding.RoundIntegers(point);
        return point;
    }

    /// <summary>A seeded permutation of the startup strata of one leaf.</summary>
    private int[] Strata(int leaf)
    {
        if (!_strata.TryGetValue(leaf, out var strata))
        {
            strata = Enumerable.Range(0, StartupTrials).ToArray();
            SeedMixer.Create(_seed, -1 - (long)leaf).Shuffle(strata);
            _strata[leaf] = strata;
        }

        return strata;
    }

    private double[] EncodeTrial(TuningTrial trial)
    {
        try
        {
            return _encoding.Encode(trial.Parameters);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Trial {trial.Id} does not belong to the tuner's search space: {e.Message}", nameof(trial), e);
        }
    }
}
