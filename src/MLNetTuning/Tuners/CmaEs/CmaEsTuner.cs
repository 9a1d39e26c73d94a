using System.Globalization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// CMA-ES (covariance matrix adaptation evolution strategy) with IPOP restarts and an lq-CMA-ES surrogate,
/// following Hansen's tutorial (2016) with its default learning rates, including the negative ("active") weights.
/// </summary>
/// <remarks>
/// <para><b>Search cube.</b> CMA-ES searches the unit cube of the space's encoding, one coordinate per encoded
/// coordinate, σ₀ = 1/6 of the range, starting at the defaults (or the centre), which are also the first trial
/// (<see cref="CmaEsTunerOptions.EvaluateStartPoint"/>). A sample outside the cube is
/// redrawn up to <see cref="CmaEsTunerOptions.MaxResamples"/> times, then mirrored back in; the update uses the
/// point that was evaluated, its Mahalanobis length capped as for injected solutions (Hansen, 2011), so repairs
/// cannot blow up the covariance.</para>
/// <para><b>Integers and choices.</b> Every integer and every choice value owns a cell of the coordinate (the
/// largest integer included, which the space's flooring encoding only reaches at exactly 1). The distribution
/// keeps a margin (Hamano et al., 2022, "CMA-ES with margin", in its diagonal form): a discrete coordinate's
/// standard deviation is scaled up so that a sample leaves the mean's cell with probability at least 1/(nλ), so
/// the search never freezes on a value. Choices use the same treatment: the coordinate is the choice's position
/// in the sorted list, searched like an integer. That is a deliberate fallback: it keeps one model for all
/// coordinates and every value reachable, and suits ordered choices (numbers, booleans); for unordered choices
/// it reaches neighbouring values first. Prefer the genetic tuner or TPE when a space is mostly unordered
/// choices.</para>
/// <para><b>Conditional spaces.</b> Every branch's coordinates are part of the search vector; an inactive
/// branch's coordinates do not change the loss and simply drift.</para>
/// <para><b>Surrogate.</b> With <see cref="CmaEsTunerOptions.Surrogate"/> (default), a linear, diagonal or full
/// quadratic least-squares model of the recent trials (as many as their number supports) orders each
/// generation's λ samples; they are proposed best first, and the generation is updated as soon as the most
/// promising ones are evaluated and the model ranks the 15 latest trials with Kendall τ ≥ 0.85; the samples not
/// evaluated are then ranked after the evaluated ones in the model's order (Hansen, 2019, lq-CMA-ES). When the
/// model ranks badly, more samples are evaluated, up to all λ: plain CMA-ES.</para>
/// <para><b>Generations and parallel trials.</b> <see cref="Propose"/> hands out the current generation's samples
/// and never returns null: after λ samples it draws more from the same distribution, so parallel studies keep
/// every worker busy. Without the surrogate the generation is updated as soon as λ of its samples have ended
/// (the first λ to finish, failures aside). A sample of an older generation that ends late is injected into the
/// current one as an evaluated solution, its step capped in Mahalanobis length (Hansen, 2011), so parallel
/// trials are not wasted. Sequential studies have no late samples and follow (lq-)CMA-ES exactly.</para>
/// <para><b>Failures.</b> A failed trial is resampled: the generation waits for λ trials that did not fail, so
/// occasional failures (a crash, a timeout) do not disturb the ranking. Once a generation has 2λ results, it is
/// updated even if failures are among its λ best, ranked worst, so the active update pushes the distribution
/// away from a region where trials fail. A pruned trial counts with its last reported loss.</para>
/// <para><b>History.</b> Trials the tuner never proposed (a resumed study's replay) are accepted: before the first
/// proposal the best of them becomes the starting mean; afterwards they are only kept as history.</para>
/// <para><b>Restarts.</b> When the search has converged (function-value range below
/// <see cref="CmaEsTunerOptions.ToleranceFunction"/>, steps below <see cref="CmaEsTunerOptions.ToleranceX"/>,
/// condition number above <see cref="CmaEsTunerOptions.MaxConditionNumber"/>, or a coordinate whose steps no
/// longer change the mean), it restarts from a uniformly random mean with σ₀ and a population
/// <see cref="CmaEsTunerOptions.PopulationGrowth"/> times larger (IPOP-CMA-ES, Auger and Hansen, 2005).</para>
/// <para><b>Seeds.</b> Generation g draws from stream g of the seed, so the same seed and the same order of
/// results give the same proposals.</para>
/// </remarks>
public sealed class CmaEsTuner : IHyperparameterTuner, IWarmStartableTuner
{
    private const double MaxSigma = 1.0;

    private readonly CmaEsTunerOptions _options;
    private readonly SearchCoordinates _coordinates;
    private readonly int _seed;
    private readonly int _n;
    private readonly Dictionary<int, double[]> _outstanding = [];
    private readonly HashSet<int> _meanProbes = [];
    private readonly Dictionary<int, Sample> _generationTrials = [];
    private readonly List<Sample> _candidates = [];
    private readonly List<(double[] Point, double Loss)> _archive = [];
    private readonly Queue<double> _bestHistory = new();
    private QuadraticSurrogate? _surrogate;
    private int _evaluationTarget;
    private int _completedInGeneration;

    private bool _started;
    private readonly Dictionary<int, double[]> _startupPending = [];
    private int _startupProposed;
    private double _bestStartLoss = double.PositiveInfinity;
    private double[]? _bestStartPoint;

    // Strategy state (Hansen's notation): mean m, step size σ, covariance C = B D² Bᵀ, paths p_σ and p_c,
    // and the margin's diagonal scaling A (x = m + σ A y, y ~ N(0, C)).
    private double[] _mean = [];
    private double _sigma;
    private double[,] _covariance = new double[0, 0];
    private double[,] _eigenvectors = new double[0, 0];
    private double[] _axisLengths = [];
    private double[] _pathSigma = [];
    private double[] _pathC = [];
    private double[] _margin = [];

    // Learning rates of the current population size.
    private double[] _weights = [];
    private int _mu;
    private double _muEffective;
    private double _cSigma;
    private double _dSigma;
    private double _cC;
    private double _c1;
    private double _cMu;
    private double _chiN;

    private int _generationInRun;
    private long _generationStream;
    private Random _random = new(0);
    private int _samplesDrawn;
    private bool _meanProposed;
    private bool _startPointPending;
    private WarmStartPrior? _prior;

    /// <summary>Creates a CMA-ES tuner.</summary>
    /// <param name="space">The space.</param>
    /// <param name="options">Options; Hansen's defaults when null.</param>
    /// <param name="defaultSeed">Seed used when <paramref name="options"/> gives none.</param>
    public CmaEsTuner(HyperparameterSpace space, CmaEsTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _options = options ?? new CmaEsTunerOptions();
        _seed = _options.Seed ?? defaultSeed;
        _coordinates = SearchCoordinates.Of(space);
        _n = _coordinates.Dimension;
        InitialPopulationSize = _options.PopulationSize ?? (4 + (int)Math.Floor(3 * Math.Log(Math.Max(1, _n))));
        PopulationSize = InitialPopulationSize;
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <summary>Population size λ of the first run.</summary>
    public int InitialPopulationSize { get; }

    /// <summary>Population size λ of the current run; grows with every IPOP restart.</summary>
    public int PopulationSize { get; private set; }

    /// <summary>Number of restarts so far.</summary>
    public int RestartCount { get; private set; }

    /// <summary>Number of generations updated so far, over all runs.</summary>
    public int GenerationCount { get; private set; }

    /// <summary>Current step size σ (units of the unit cube).</summary>
    public double Sigma => _sigma;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        if (_n == 0)
        {
            return new TrialProposal(Space.Defaults);
        }

        // A warm start's prior replaces the initial random design.
        if (!_started && _startupProposed < _options.InitialRandomTrials && _prior is not { IsSwitchedOff: false })
        {
            // Initial design: uniform points, from the trial's own stream as the random tuner draws them.
            _startupProposed++;
            var random = SeedMixer.Create(_seed, trialId);
            var uniform = new double[_n];
            for (var i = 0; i < _n; i++)
            {
                uniform[i] = random.NextDouble();
            }

            _startupPending[trialId] = uniform;
            _outstanding[trialId] = uniform;
            return new TrialProposal(_coordinates.Decode(uniform))
            {
                Attributes = new Dictionary<string, string> { ["cmaes.generation"] = "startup" },
            };
        }

        if (!_started)
        {
            Start();
        }

        double[] point;
        if (_startPointPending || (_options.EvaluateMean && !_meanProposed))
        {
            // The mean is the distribution's best guess; it is evaluated once, outside the population.
            _startPointPending = false;
            _meanProposed = true;
            _meanProbes.Add(trialId);
            point = (double[])_mean.Clone();
        }
        else
        {
            // The most promising candidate not yet handed out; past λ, a further sample of the same distribution.
            var sample = _candidates.Where(c => c.State == SampleState.New).OrderBy(c => c.Predicted).ThenBy(c => c.Order).FirstOrDefault();
            if (sample is null)
            {
                sample = Draw();
                sample.Predicted = _surrogate?.Predict(Whiten(sample.Point)) ?? 0;
                _candidates.Add(sample);
            }

            sample.State = SampleState.Proposed;
            _generationTrials[trialId] = sample;
            point = sample.Point;
        }

        _outstanding[trialId] = point;

        return new TrialProposal(_coordinates.Decode(point))
        {
            Attributes = new Dictionary<string, string>
            {
                ["cmaes.restart"] = RestartCount.ToString(CultureInfo.InvariantCulture),
                ["cmaes.generation"] = GenerationCount.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    /// <remarks>CMA-ES uses the prior once, when its first run starts (after the re-evaluated trials when a warm start
    /// enqueued them): the mean of the source's best tenth and a step size from their spread. A prior the guard has
    /// switched off by then is ignored.</remarks>
    public void SetWarmStartPrior(WarmStartPrior? prior) => _prior = prior;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (_n == 0 || trial.State == TrialState.Running)
        {
            return;
        }

        var loss = trial.State != TrialState.Failed && trial.Loss is double l && double.IsFinite(l) ? l : double.PositiveInfinity;
        var proposedHere = _outstanding.Remove(trial.Id, out var evaluatedPoint);
        if (proposedHere && double.IsFinite(loss))
        {
            _archive.Add((evaluatedPoint!, loss));
        }

        if (_generationTrials.Remove(trial.Id, out var sample))
        {
            sample.State = double.IsFinite(loss) ? SampleState.Evaluated : SampleState.Failed;
            sample.Loss = loss;
            sample.CompletionOrder = _completedInGeneration++;
            TryCloseGeneration();
            return;
        }

        var isProbe = _meanProbes.Remove(trial.Id);
        if (proposedHere && _started && !isProbe && !_startupPending.ContainsKey(trial.Id) && double.IsFinite(loss))
        {
            // A sample of an earlier generation that ended late (parallel trials): inject it into this one.
            _candidates.Add(new Sample(evaluatedPoint!, StepTo(evaluatedPoint!), _samplesDrawn++)
            {
                State = SampleState.Evaluated,
                Loss = loss,
                CompletionOrder = _completedInGeneration++,
            });
            TryCloseGeneration();
            return;
        }

        if (_startupPending.Remove(trial.Id, out var startupPoint))
        {
            if (!_started && loss < _bestStartLoss)
            {
                _bestStartLoss = loss;
                _bestStartPoint = startupPoint;
            }

            return;
        }

        if (!proposedHere && !_started && loss < _bestStartLoss && Space.Contains(trial.Parameters))
        {
            _bestStartLoss = loss;
            _bestStartPoint = _coordinates.Encode(trial.Parameters);
        }
    }

    private void Start()
    {
        _started = true;
        var warm = _prior is { IsSwitchedOff: false } prior ? CmaEsWarmStart.StartOf(prior, _coordinates, _options.InitialSigma) : null;
        var mean = warm?.Mean ?? _bestStartPoint
            ?? (_options.StartPoint == CmaEsStartPoint.Defaults ? _coordinates.Encode(Space.Defaults) : Enumerable.Repeat(0.5, _n).ToArray());
        BeginRun(mean);
        if (warm is { } start)
        {
            _sigma = start.Sigma;
        }

        // A mean that is an evaluated trial needs no second evaluation.
        _meanProposed = _bestStartPoint is not null && warm is null;
        _startPointPending = _options.EvaluateStartPoint && !_meanProposed;
    }

    private void BeginRun(double[] mean)
    {
        _mean = (double[])mean.Clone();
        _sigma = _options.InitialSigma;
        _covariance = new double[_n, _n];
        _eigenvectors = new double[_n, _n];
        for (var i = 0; i < _n; i++)
        {
            _covariance[i, i] = 1;
            _eigenvectors[i, i] = 1;
        }

        _axisLengths = Enumerable.Repeat(1.0, _n).ToArray();
        _pathSigma = new double[_n];
        _pathC = new double[_n];
        _margin = Enumerable.Repeat(1.0, _n).ToArray();
        _bestHistory.Clear();
        _generationInRun = 0;
        ComputeLearningRates();
        UpdateMargin();
        BeginGeneration();
    }

    private void BeginGeneration()
    {
        // Samples of a finished generation may still run; their results will be history only.
        _generationTrials.Clear();
        _candidates.Clear();
        _samplesDrawn = 0;
        _completedInGeneration = 0;
        _meanProposed = false;
        _random = SeedMixer.Create(_seed, _generationStream++);
        for (var k = 0; k < PopulationSize; k++)
        {
            _candidates.Add(Draw());
        }

        _evaluationTarget = Math.Max(1, (int)Math.Ceiling(PopulationSize / 10.0));
        FitSurrogate();
    }

    /// <summary>
    /// Closes the generation once enough of it is known: λ completed samples; or, with a surrogate, the most
    /// promising samples evaluated and the surrogate ranking the recent trials well (Kendall τ ≥ 0.85, as in
    /// lq-CMA-ES), the rest then ranked by the surrogate; or 2λ results, failures included.
    /// </summary>
    private void TryCloseGeneration()
    {
        var evaluated = _candidates.Where(c => c.State == SampleState.Evaluated).OrderBy(c => c.CompletionOrder).ToList();
        var failed = _candidates.Where(c => c.State == SampleState.Failed).OrderBy(c => c.CompletionOrder).ToList();
        List<Sample> ranked;
        if (evaluated.Count >= PopulationSize)
        {
            ranked = evaluated.Take(PopulationSize).OrderBy(c => c.Loss).ThenBy(c => c.Order).ToList();
        }
        else if (evaluated.Count + failed.Count >= 2 * PopulationSize)
        {
            ranked = evaluated.OrderBy(c => c.Loss).ThenBy(c => c.Order).Concat(failed).Take(PopulationSize).ToList();
        }
        else if (_options.Surrogate && _surrogate is not null && evaluated.Count >= _evaluationTarget)
        {
            FitSurrogate();
            if (_surrogate is null || !SurrogateRanksWell())
            {
                _evaluationTarget += Math.Max(1, (int)Math.Ceiling(_evaluationTarget / 2.0));
                return;
            }

            // Evaluated samples first (they were the surrogate's favourites), then the others in the surrogate's order.
            var unevaluated = _candidates.Where(c => c.State is SampleState.New or SampleState.Proposed).OrderBy(c => c.Predicted).ThenBy(c => c.Order);
            ranked = evaluated.OrderBy(c => c.Loss).ThenBy(c => c.Order).Concat(unevaluated).Concat(failed).Take(PopulationSize).ToList();
        }
        else
        {
            return;
        }

        UpdateGeneration(ranked, evaluated.Select(c => c.Loss).ToArray());
    }

    /// <summary>Fits the surrogate on the most recent trials, in the current distribution's coordinates, and re-predicts the candidates.</summary>
    private void FitSurrogate()
    {
        _surrogate = null;
        if (!_options.Surrogate)
        {
            return;
        }

        var form = QuadraticSurrogate.Choose(_archive.Count, _n);
        if (form is null)
        {
            return;
        }

        var size = Math.Min(_archive.Count, 2 * QuadraticSurrogate.DegreesOfFreedom(form.Value, _n));
        var recent = _archive.Skip(_archive.Count - size).ToList();
        _surrogate = QuadraticSurrogate.Fit(form.Value, recent.Select(a => Whiten(a.Point)).ToList(), recent.Select(a => a.Loss).ToList());
        foreach (var candidate in _candidates)
        {
            candidate.Predicted = _surrogate?.Predict(Whiten(candidate.Point)) ?? 0;
        }
    }

    /// <summary>Kendall τ between the surrogate and the losses of the 15 most recent trials.</summary>
    private bool SurrogateRanksWell()
    {
        var recent = _archive.Skip(Math.Max(0, _archive.Count - 15)).ToList();
        var predicted = recent.Select(a => _surrogate!.Predict(Whiten(a.Point))).ToList();
        return QuadraticSurrogate.KendallTau(predicted, recent.Select(a => a.Loss).ToList()) >= 0.85;
    }

    /// <summary>A point in the coordinates where the current distribution is standard normal: D⁻¹ Bᵀ A⁻¹ (x − m) / σ.</summary>
    private double[] Whiten(double[] point)
    {
        var step = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            step[i] = (point[i] - _mean[i]) / (_sigma * _margin[i]);
        }

        var z = new double[_n];
        for (var j = 0; j < _n; j++)
        {
            double s = 0;
            for (var i = 0; i < _n; i++)
            {
                s += _eigenvectors[i, j] * step[i];
            }

            z[j] = s / _axisLengths[j];
        }

        return z;
    }

    private void ComputeLearningRates()
    {
        var n = (double)_n;
        var lambda = PopulationSize;
        _mu = lambda / 2;
        var raw = new double[lambda];
        for (var i = 0; i < lambda; i++)
        {
            raw[i] = Math.Log((lambda + 1) / 2.0) - Math.Log(i + 1);
        }

        double positiveSum = 0, positiveSquares = 0, negativeSum = 0, negativeSquares = 0;
        foreach (var w in raw)
        {
            if (w > 0)
            {
                positiveSum += w;
                positiveSquares += w * w;
            }
            else
            {
                negativeSum -= w;
                negativeSquares += w * w;
            }
        }

        _muEffective = positiveSum * positiveSum / positiveSquares;
        var muEffectiveNegative = negativeSquares > 0 ? negativeSum * negativeSum / negativeSquares : 0;
        const double alphaCovariance = 2;
        _c1 = alphaCovariance / (Math.Pow(n + 1.3, 2) + _muEffective);
        _cMu = Math.Min(1 - _c1 - 1e-8, alphaCovariance * (_muEffective - 2 + (1 / _muEffective)) / (Math.Pow(n + 2, 2) + (alphaCovariance * _muEffective / 2)));
        _cMu = Math.Max(_cMu, 0);
        _cSigma = (_muEffective + 2) / (n + _muEffective + 5);
        _dSigma = 1 + (2 * Math.Max(0, Math.Sqrt((_muEffective - 1) / (n + 1)) - 1)) + _cSigma;
        _cC = (4 + (_muEffective / n)) / (n + 4 + (2 * _muEffective / n));
        _chiN = Math.Sqrt(n) * (1 - (1 / (4 * n)) + (1 / (21 * n * n)));

        // Negative weights are scaled so that the covariance stays positive definite (the tutorial's α bounds).
        var alphaMu = 1 + (_c1 / Math.Max(_cMu, 1e-300));
        var alphaMuEffective = 1 + (2 * muEffectiveNegative / (_muEffective + 2));
        var alphaPositiveDefinite = (1 - _c1 - _cMu) / (n * Math.Max(_cMu, 1e-300));
        var negativeScale = Math.Min(alphaMu, Math.Min(alphaMuEffective, alphaPositiveDefinite));
        _weights = raw.Select(w => w > 0 ? w / positiveSum : negativeSum > 0 ? negativeScale * w / negativeSum : 0).ToArray();
    }

    private Sample Draw()
    {
        var order = _samplesDrawn++;
        var z = new double[_n];
        var step = new double[_n];
        var point = new double[_n];
        for (var attempt = 0; ; attempt++)
        {
            for (var i = 0; i < _n; i++)
            {
                z[i] = _axisLengths[i] * StandardNormal.Sample(_random);
            }

            var inside = true;
            for (var i = 0; i < _n; i++)
            {
                double y = 0;
                for (var j = 0; j < _n; j++)
                {
                    y += _eigenvectors[i, j] * z[j];
                }

                step[i] = y;
                point[i] = _mean[i] + (_sigma * _margin[i] * y);
                inside &= point[i] is >= 0 and <= 1;
            }

            if (inside)
            {
                return new Sample(point, step, order);
            }

            if (attempt >= _options.MaxResamples)
            {
                break;
            }
        }

        for (var i = 0; i < _n; i++)
        {
            point[i] = Mirror(point[i]);
        }

        return new Sample(point, StepTo(point), order);
    }

    /// <summary>The step from the mean to an evaluated point that the distribution did not draw as it is (a repaired
    /// or an injected one), capped in Mahalanobis length at √n + 2n/(n + 2) as Hansen (2011) advises for injected solutions.</summary>
    private double[] StepTo(double[] point)
    {
        var step = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            step[i] = (point[i] - _mean[i]) / (_sigma * _margin[i]);
        }

        var length = MahalanobisLength(step);
        var cap = Math.Sqrt(_n) + (2.0 * _n / (_n + 2));
        if (length > cap)
        {
            for (var i = 0; i < _n; i++)
            {
                step[i] *= cap / length;
            }
        }

        return step;
    }

    private static double Mirror(double x)
    {
        x = Math.Abs(x) % 2;
        return x > 1 ? 2 - x : x;
    }

    /// <summary>‖C^(-1/2) y‖ = ‖D⁻¹ Bᵀ y‖.</summary>
    private double MahalanobisLength(double[] step)
    {
        double sum = 0;
        foreach (var c in InverseSquareRootTimes(step))
        {
            sum += c * c;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>C^(-1/2) y = B D⁻¹ Bᵀ y.</summary>
    private double[] InverseSquareRootTimes(double[] y)
    {
        var rotated = new double[_n];
        for (var j = 0; j < _n; j++)
        {
            double s = 0;
            for (var i = 0; i < _n; i++)
            {
                s += _eigenvectors[i, j] * y[i];
            }

            rotated[j] = s / _axisLengths[j];
        }

        var result = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            double s = 0;
            for (var j = 0; j < _n; j++)
            {
                s += _eigenvectors[i, j] * rotated[j];
            }

            result[i] = s;
        }

        return result;
    }

    private void UpdateGeneration(List<Sample> ranked, double[] evaluatedLosses)
    {
        var n = _n;

        // Mean: recombination of the μ best steps (positive weights sum to 1, so the mean stays in the cube).
        var weightedStep = new double[n];
        for (var k = 0; k < _mu; k++)
        {
            for (var i = 0; i < n; i++)
            {
                weightedStep[i] += _weights[k] * ranked[k].Step[i];
            }
        }

        for (var i = 0; i < n; i++)
        {
            _mean[i] = Math.Clamp(_mean[i] + (_sigma * _margin[i] * weightedStep[i]), 0, 1);
        }

        // Step-size path and cumulative step-size adaptation.
        var whitened = InverseSquareRootTimes(weightedStep);
        var sigmaFactor = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEffective);
        double pathSigmaNorm = 0;
        for (var i = 0; i < n; i++)
        {
            _pathSigma[i] = ((1 - _cSigma) * _pathSigma[i]) + (sigmaFactor * whitened[i]);
            pathSigmaNorm += _pathSigma[i] * _pathSigma[i];
        }

        pathSigmaNorm = Math.Sqrt(pathSigmaNorm);
        var correction = Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2 * (_generationInRun + 1)));
        var hSigma = pathSigmaNorm / correction < (1.4 + (2.0 / (n + 1))) * _chiN ? 1.0 : 0.0;

        var cFactor = Math.Sqrt(_cC * (2 - _cC) * _muEffective);
        for (var i = 0; i < n; i++)
        {
            _pathC[i] = ((1 - _cC) * _pathC[i]) + (hSigma * cFactor * weightedStep[i]);
        }

        // Covariance: rank-one update from p_c, rank-μ update from all λ steps (negative weights rescaled).
        var weightSum = _weights.Sum();
        var delta = (1 - hSigma) * _cC * (2 - _cC);
        var decay = 1 + (_c1 * delta) - _c1 - (_cMu * weightSum);
        var updated = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                updated[i, j] = (decay * _covariance[i, j]) + (_c1 * _pathC[i] * _pathC[j]);
            }
        }

        for (var k = 0; k < ranked.Count; k++)
        {
            var w = _weights[k];
            var y = ranked[k].Step;
            if (w < 0)
            {
                var length = MahalanobisLength(y);
                w *= length > 0 ? n / (length * length) : 0;
            }

            if (w == 0)
            {
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    updated[i, j] += _cMu * w * y[i] * y[j];
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                _covariance[i, j] = updated[i, j];
                _covariance[j, i] = updated[i, j];
            }
        }

        _sigma *= Math.Exp(Math.Min(1, (_cSigma / _dSigma) * ((pathSigmaNorm / _chiN) - 1)));

        // A flat generation gives no ranking; widen the search (Hansen's flat-fitness escape).
        var sorted = evaluatedLosses.Order().ToArray();
        if (sorted.Length > 1 && sorted[0] == sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.1 + (PopulationSize / 4.0)))])
        {
            _sigma *= Math.Exp(0.2 + (_cSigma / _dSigma));
        }

        _sigma = Math.Min(_sigma, MaxSigma);
        GenerationCount++;
        _generationInRun++;

        var decomposed = Decompose();
        if (_options.Restarts && (!decomposed || HasConverged(sorted)))
        {
            Restart();
            return;
        }

        if (!decomposed)
        {
            ResetCovariance();
        }

        UpdateMargin();
        BeginGeneration();
    }

    private bool Decompose()
    {
        var (values, vectors) = SymmetricEigen.Decompose(_covariance);
        if (values.Any(v => !double.IsFinite(v)) || !double.IsFinite(_sigma) || _sigma <= 0)
        {
            return false;
        }

        _eigenvectors = vectors;
        for (var i = 0; i < _n; i++)
        {
            _axisLengths[i] = Math.Sqrt(Math.Max(values[i], 1e-300));
        }

        return true;
    }

    private void ResetCovariance()
    {
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                _covariance[i, j] = i == j ? 1 : 0;
                _eigenvectors[i, j] = i == j ? 1 : 0;
            }

            _axisLengths[i] = 1;
        }

        _sigma = _options.InitialSigma;
    }

    private bool HasConverged(double[] losses)
    {
        // TolFun: the recent best losses and this generation's losses all lie within the tolerance.
        if (losses.Length == 0)
        {
            return false;
        }

        _bestHistory.Enqueue(losses[0]);
        var historyLength = 10 + (int)Math.Ceiling(30.0 * _n / PopulationSize);
        while (_bestHistory.Count > historyLength)
        {
            _bestHistory.Dequeue();
        }

        if (_bestHistory.Count == historyLength && _options.ToleranceFunction > 0)
        {
            var recent = _bestHistory.Concat(losses).ToArray();
            if (recent.All(double.IsFinite) && recent.Max() - recent.Min() < _options.ToleranceFunction)
            {
                return true;
            }
        }

        // TolX: every coordinate's standard deviation and evolution path are below the tolerance.
        var allSmall = true;
        for (var i = 0; i < _n && allSmall; i++)
        {
            allSmall = _sigma * Math.Sqrt(_covariance[i, i]) < _options.ToleranceX && _sigma * Math.Abs(_pathC[i]) < _options.ToleranceX;
        }

        if (allSmall)
        {
            return true;
        }

        // Condition number of C.
        var longest = _axisLengths.Max();
        var shortest = _axisLengths.Min();
        if (longest * longest > _options.MaxConditionNumber * shortest * shortest)
        {
            return true;
        }

        // NoEffectCoord: a fifth of a standard deviation no longer moves the mean of a continuous coordinate.
        for (var i = 0; i < _n; i++)
        {
            if (!_coordinates.IsDiscrete(i) && _mean[i] == _mean[i] + (0.2 * _sigma * Math.Sqrt(_covariance[i, i])))
            {
                return true;
            }
        }

        return false;
    }

    private void Restart()
    {
        RestartCount++;
        PopulationSize = (int)Math.Min(int.MaxValue / 4, Math.Ceiling(PopulationSize * _options.PopulationGrowth));
        var mean = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            mean[i] = _random.NextDouble();
        }

        BeginRun(mean);
    }

    /// <summary>
    /// The margin: on a discrete coordinate, scale the standard deviation up so that a sample crosses the nearer
    /// edge of the mean's cell with probability at least α = 1/(nλ).
    /// </summary>
    private void UpdateMargin()
    {
        var alpha = 1.0 / (_n * PopulationSize);
        var z = StandardNormal.Quantile(1 - alpha);
        for (var i = 0; i < _n; i++)
        {
            _margin[i] = 1;
            if (!_coordinates.IsDiscrete(i))
            {
                continue;
            }

            var (low, high) = _coordinates.CellAt(i, _mean[i]);
            var distance = Math.Min(Math.Max(_mean[i] - low, 0), Math.Max(high - _mean[i], 0));

            // A cell touching the cube's edge can only be left through its inner side.
            if (low <= 0)
            {
                distance = high - _mean[i];
            }
            else if (high >= 1)
            {
                distance = _mean[i] - low;
            }

            var deviation = _sigma * Math.Sqrt(_covariance[i, i]);
            if (deviation > 0 && distance > deviation * z)
            {
                _margin[i] = distance / (deviation * z);
            }
        }
    }

    private enum SampleState
    {
        New,
        Proposed,
        Evaluated,
        Failed,
    }

    private sealed class Sample(double[] point, double[] step, int order)
    {
        public double[] Point { get; } = point;

        public double[] Step { get; } = step;

        public int Order { get; } = order;

        public SampleState State { get; set; }

        public double Loss { get; set; } = double.PositiveInfinity;

        public double Predicted { get; set; }

        public int CompletionOrder { get; set; }
    }
}
