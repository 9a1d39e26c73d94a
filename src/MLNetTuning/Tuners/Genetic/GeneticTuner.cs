using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>
/// A steady-state genetic algorithm over the space's unit-cube encoding, for mixed and conditional spaces.
/// </summary>
/// <remarks>
/// <para><b>Representation.</b> A fixed-length vector with one gene per encoded coordinate: numeric ranges in
/// [0, 1] (log ranges on their log scale), integers and choices as cells of their coordinate. A conditional
/// choice's inactive branches keep their genes, so a branch switched off and on again by later crossovers
/// gets its earlier values back.</para>
/// <para><b>Steady state.</b> There are no generation barriers: every proposal breeds one child from the current
/// population, so any number of trials can run at once and <see cref="Propose"/> never returns null. The first
/// <see cref="GeneticTunerOptions.PopulationSize"/> proposals make the initial population (the defaults, then
/// uniform points). A completed trial joins the population; when it is over its size, the oldest member that is
/// not among the <see cref="GeneticTunerOptions.EliteCount"/> best (half the population by default) leaves, so
/// the population turns over like a generation while the elites survive.</para>
/// <para><b>Breeding.</b> Two parents by tournament, crossover with probability
/// <see cref="GeneticTunerOptions.CrossoverProbability"/> (simulated binary or uniform; choices are always taken
/// from one parent), then each gene mutates with probability 1/d (polynomial or Gaussian steps for numbers, a
/// uniform redraw for choices). A child equal to a trial already proposed is bred again (up to 10 times), so
/// parallel proposals differ and small discrete spaces are not evaluated twice.</para>
/// <para><b>Failures and history.</b> A failed trial never enters the population (it ranks below every
/// completed one); a pruned trial enters with its last reported loss. Trials the tuner did not propose
/// (a resumed study's replay) join the population like its own.</para>
/// <para><b>Seeds.</b> The proposal for trial k draws from stream k of the seed, so the same seed and the same
/// order of results give the same trials.</para>
/// </remarks>
public sealed class GeneticTuner : IHyperparameterTuner
{
    private const int MaxRebreeds = 10;

    private readonly GeneticTunerOptions _options;
    private readonly SearchCoordinates _coordinates;
    private readonly int _seed;
    private readonly int _n;
    private readonly double _mutationProbability;
    private readonly int _eliteCount;
    private readonly List<Member> _population = [];
    private readonly Dictionary<int, double[]> _pending = [];
    private readonly HashSet<TrialParameters> _seen = [];
    private int _proposals;
    private long _completions;

    /// <summary>Creates a genetic tuner.</summary>
    /// <param name="space">The space.</param>
    /// <param name="options">Options; the documented defaults when null.</param>
    /// <param name="defaultSeed">Seed used when <paramref name="options"/> gives none.</param>
    /// <exception cref="ArgumentException">More elites than members.</exception>
    public GeneticTuner(HyperparameterSpace space, GeneticTunerOptions? options = null, int defaultSeed = 0)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _options = options ?? new GeneticTunerOptions();
        if (_options.EliteCount > _options.PopulationSize)
        {
            throw new ArgumentException($"Invalid genetic tuner options: EliteCount ({_options.EliteCount}) is larger than PopulationSize ({_options.PopulationSize}).", nameof(options));
        }

        _eliteCount = _options.EliteCount ?? ((_options.PopulationSize + 1) / 2);

        _seed = _options.Seed ?? defaultSeed;
        _coordinates = SearchCoordinates.Of(space);
        _n = _coordinates.Dimension;
        _mutationProbability = _options.MutationProbability ?? (_n == 0 ? 0 : 1.0 / _n);
    }

    /// <inheritdoc/>
    public HyperparameterSpace Space { get; }

    /// <inheritdoc/>
    public bool IsFinished => false;

    /// <summary>Members of the current population.</summary>
    public int PopulationCount => _population.Count;

    /// <inheritdoc/>
    public TrialProposal Propose(int trialId)
    {
        if (_n == 0)
        {
            return new TrialProposal(Space.Defaults);
        }

        var random = SeedMixer.Create(_seed, trialId);
        var breeding = _proposals >= _options.PopulationSize && _population.Count >= 2;
        double[] point;
        TrialParameters parameters;
        if (_proposals == 0 && _options.IncludeDefaults)
        {
            point = _coordinates.Encode(Space.Defaults);
            parameters = _coordinates.Decode(point);
        }
        else
        {
            var attempt = 0;
            do
            {
                point = breeding ? Breed(random) : Uniform(random);
                parameters = _coordinates.Decode(point);
            }
            while (_seen.Contains(parameters) && ++attempt < MaxRebreeds);
        }

        _proposals++;
        _seen.Add(parameters);
        _pending[trialId] = point;
        return new TrialProposal(parameters)
        {
            Attributes = new Dictionary<string, string> { ["ga.origin"] = breeding ? "offspring" : "initial" },
        };
    }

    /// <inheritdoc/>
    public TrialDecision Report(TuningTrial trial, int step, double loss) => TrialDecision.Continue;

    /// <inheritdoc/>
    public void Complete(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (_n == 0 || trial.State == TrialState.Running)
        {
            return;
        }

        if (!_pending.Remove(trial.Id, out var point))
        {
            // A trial from the history: it counts towards the initial population like one of ours.
            if (!Space.Contains(trial.Parameters))
            {
                return;
            }

            point = _coordinates.Encode(trial.Parameters);
            _proposals++;
            _seen.Add(trial.Parameters);
        }

        if (trial.State == TrialState.Failed || trial.Loss is not double loss || !double.IsFinite(loss))
        {
            return;
        }

        _population.Add(new Member(point, loss, _completions++));
        if (_population.Count > _options.PopulationSize)
        {
            var survivors = _population.OrderBy(m => m.Loss).ThenBy(m => m.Age).ToList();
            var oldest = survivors.Skip(_eliteCount).MinBy(m => m.Age)!;
            _population.Remove(oldest);
        }
    }

    private double[] Uniform(Random random)
    {
        var point = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            point[i] = random.NextDouble();
        }

        return point;
    }

    private double[] Breed(Random random)
    {
        var first = Tournament(random);
        var second = Tournament(random);
        for (var retry = 0; retry < 3 && ReferenceEquals(first, second); retry++)
        {
            second = Tournament(random);
        }

        var child = (double[])first.Point.Clone();
        if (random.NextDouble() < _options.CrossoverProbability)
        {
            Cross(child, second.Point, random);
        }

        Mutate(child, random);
        return child;
    }

    private Member Tournament(Random random)
    {
        var best = _population[random.Next(_population.Count)];
        for (var k = 1; k < _options.TournamentSize; k++)
        {
            var rival = _population[random.Next(_population.Count)];
            if (rival.Loss < best.Loss || (rival.Loss == best.Loss && rival.Age < best.Age))
            {
                best = rival;
            }
        }

        return best;
    }

    private void Cross(double[] child, double[] other, Random random)
    {
        for (var i = 0; i < _n; i++)
        {
            // Both operators swap genes with probability ½; SBX then blends the numeric ones.
            if (random.NextDouble() >= 0.5)
            {
                continue;
            }

            if (_options.Crossover == GeneticCrossover.Uniform || _coordinates.Kinds[i] == CoordinateKind.Categorical)
            {
                child[i] = other[i];
            }
            else
            {
                child[i] = SimulatedBinary(child[i], other[i], random);
            }
        }
    }

    /// <summary>Deb's bounded simulated binary crossover on [0, 1]: one of the two children, chosen at random.</summary>
    private double SimulatedBinary(double a, double b, Random random)
    {
        var low = Math.Min(a, b);
        var high = Math.Max(a, b);
        if (high - low < 1e-14)
        {
            return a;
        }

        var eta = _options.SimulatedBinaryCrossoverIndex;
        var u = random.NextDouble();
        double Spread(double distanceToBound)
        {
            var beta = 1 + (2 * distanceToBound / (high - low));
            var alpha = 2 - Math.Pow(beta, -(eta + 1));
            return u <= 1 / alpha
                ? Math.Pow(u * alpha, 1 / (eta + 1))
                : Math.Pow(1 / (2 - (u * alpha)), 1 / (eta + 1));
        }

        var child = random.NextDouble() < 0.5
            ? 0.5 * (low + high - (Spread(low) * (high - low)))
            : 0.5 * (low + high + (Spread(1 - high) * (high - low)));
        return Math.Clamp(child, 0, 1);
    }

    private void Mutate(double[] child, Random random)
    {
        for (var i = 0; i < _n; i++)
        {
            if (random.NextDouble() >= _mutationProbability)
            {
                continue;
            }

            if (_coordinates.Kinds[i] == CoordinateKind.Categorical)
            {
                child[i] = random.NextDouble();
            }
            else if (_options.Mutation == GeneticMutation.Gaussian)
            {
                child[i] = Mirror(child[i] + (_options.GaussianMutationScale * StandardNormal.Sample(random)));
            }
            else
            {
                child[i] = Polynomial(child[i], random);
            }
        }
    }

    /// <summary>Deb's bounded polynomial mutation on [0, 1].</summary>
    private double Polynomial(double x, Random random)
    {
        var power = 1 / (_options.PolynomialMutationIndex + 1);
        var u = random.NextDouble();
        double shift;
        if (u < 0.5)
        {
            var value = (2 * u) + ((1 - (2 * u)) * Math.Pow(1 - x, _options.PolynomialMutationIndex + 1));
            shift = Math.Pow(value, power) - 1;
        }
        else
        {
            var value = (2 * (1 - u)) + (2 * (u - 0.5) * Math.Pow(x, _options.PolynomialMutationIndex + 1));
            shift = 1 - Math.Pow(value, power);
        }

        return Math.Clamp(x + shift, 0, 1);
    }

    private static double Mirror(double x)
    {
        x = Math.Abs(x) % 2;
        return x > 1 ? 2 - x : x;
    }

    private sealed record Member(double[] Point, double Loss, long Age);
}
