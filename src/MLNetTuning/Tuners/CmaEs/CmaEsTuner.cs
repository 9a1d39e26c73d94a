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
public sealed partial class CmaEsTuner : IHyperparameterTuner, IWarmStartableTuner
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
    /// enqueued them): the mean of the source's best tenth and a step size from their spread; coordinates those trials
    /// lack start where a cold run would. A prior the guard has switched off by then is ignored.</remarks>
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
        var cold = _bestStartPoint
            ?? (_options.StartPoint == CmaEsStartPoint.Defaults ? _coordinates.Encode(Space.Defaults) : Enumerable.Repeat(0.5, _n).ToArray());
        var warm = _prior is { IsSwitchedOff: false } prior ? CmaEsWarmStart.StartOf(prior, _coordinates, cold, _options.InitialSigma) : null;
        BeginRun(warm?.Mean ?? cold);
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
}
