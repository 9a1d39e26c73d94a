namespace MLNetTuning.Tuners;

/// <summary>How <see cref="GeneticTuner"/> mixes two parents.</summary>
public enum GeneticCrossover
{
    /// <summary>Each coordinate comes from either parent with probability ½ (Syswerda, 1989).</summary>
    Uniform,

    /// <summary>Simulated binary crossover on numeric coordinates (Deb and Agrawal, 1995); choices are taken
    /// from either parent with probability ½.</summary>
    SimulatedBinary,
}

/// <summary>How <see cref="GeneticTuner"/> mutates a numeric coordinate (a choice is always redrawn uniformly).</summary>
public enum GeneticMutation
{
    /// <summary>Deb's bounded polynomial mutation, with distribution index <see cref="GeneticTunerOptions.PolynomialMutationIndex"/>.</summary>
    Polynomial,

    /// <summary>A normal step of standard deviation <see cref="GeneticTunerOptions.GaussianMutationScale"/> (unit-cube units), mirrored into the cube.</summary>
    Gaussian,
}

/// <summary>Options of <see cref="GeneticTuner"/>. All distances are in units of the space's unit cube.</summary>
public sealed class GeneticTunerOptions
{
    private int _populationSize = 12;
    private int? _eliteCount;
    private int _tournamentSize = 3;
    private double _crossoverProbability = 0.9;
    private double _sbxIndex = 10;
    private double? _mutationProbability;
    private double _polynomialIndex = 20;
    private double _gaussianScale = 0.1;

    /// <summary>Seed; when null, the study's or the <c>MLContext</c>'s seed is used.</summary>
    public int? Seed { get; set; }

    /// <summary>Members of the population, which is also the number of random trials before breeding starts.
    /// Default 12: tuning budgets are often 50–200 trials, and Optuna's 50 (its NSGA-II default) would spend half
    /// of a 100-trial budget on the random first generation. On our benchmark functions (2–6 dimensions, 100 trials,
    /// 50 seeds) 10–12 members did best, 20 was worse and 50 much worse. At least 2.</summary>
    public int PopulationSize
    {
        get => _populationSize;
        set => _populationSize = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(PopulationSize), value, "A genetic algorithm needs a population of at least 2.");
    }

    /// <summary>The best members that always survive (elitism); the other places go to the newest trials, so
    /// the population turns over like a generation. Null (default) for half the population, rounded up: strong
    /// elitism pays at small budgets, while the newest half keeps diversity. Between 1 and
    /// <see cref="PopulationSize"/> (equal to it: the population is always the best trials so far, a (μ + 1)
    /// steady state).</summary>
    public int? EliteCount
    {
        get => _eliteCount;
        set => _eliteCount = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EliteCount), value, "At least one elite must survive.");
    }

    /// <summary>Members drawn for each tournament; the best of them becomes a parent. Default 3: with a small
    /// population, binary tournaments picked weak parents too often (measured worse on every benchmark function);
    /// at least 1 (1 = parents drawn at random).</summary>
    public int TournamentSize
    {
        get => _tournamentSize;
        set => _tournamentSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(TournamentSize), value, "A tournament needs at least one member.");
    }

    /// <summary>Probability that a child is bred by crossover rather than copied from one parent. Default 0.9
    /// (Deb's usual setting, also Optuna's NSGA-II); in [0, 1].</summary>
    public double CrossoverProbability
    {
        get => _crossoverProbability;
        set => _crossoverProbability = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CrossoverProbability), value, "A probability must be in [0, 1].");
    }

    /// <summary>The crossover operator. Default <see cref="GeneticCrossover.SimulatedBinary"/>, which, unlike uniform
    /// crossover, creates new values between and around the parents'.</summary>
    public GeneticCrossover Crossover { get; set; } = GeneticCrossover.SimulatedBinary;

    /// <summary>Distribution index η_c of simulated binary crossover: larger keeps children closer to their
    /// parents. Default 10, between Deb's 2 (wide) and 20 (close); positive.</summary>
    public double SimulatedBinaryCrossoverIndex
    {
        get => _sbxIndex;
        set => _sbxIndex = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(SimulatedBinaryCrossoverIndex), value, "The distribution index must be a positive number.");
    }

    /// <summary>Probability that each coordinate of a child mutates; null (default) for 1/d, one coordinate per
    /// child on average (the standard rate, Bäck 1993). In [0, 1].</summary>
    public double? MutationProbability
    {
        get => _mutationProbability;
        set => _mutationProbability = value is null or (>= 0 and <= 1) ? value : throw new ArgumentOutOfRangeException(nameof(MutationProbability), value, "A probability must be in [0, 1].");
    }

    /// <summary>The mutation of numeric coordinates. Default <see cref="GeneticMutation.Polynomial"/>.</summary>
    public GeneticMutation Mutation { get; set; } = GeneticMutation.Polynomial;

    /// <summary>Distribution index η_m of polynomial mutation. Default 20 (Deb's); positive.</summary>
    public double PolynomialMutationIndex
    {
        get => _polynomialIndex;
        set => _polynomialIndex = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(PolynomialMutationIndex), value, "The distribution index must be a positive number.");
    }

    /// <summary>Standard deviation of Gaussian mutation. Default 0.1 of the unit range; in (0, 1].</summary>
    public double GaussianMutationScale
    {
        get => _gaussianScale;
        set => _gaussianScale = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GaussianMutationScale), value, "The mutation scale must be in (0, 1].");
    }

    /// <summary>Whether the first trial is the space's defaults (the rest of the first population is random).
    /// Default true: defaults are usually a sound configuration worth having in the population.</summary>
    public bool IncludeDefaults { get; set; } = true;

    /// <summary>A copy, so a factory is not affected by later changes to the options it was given.</summary>
    internal GeneticTunerOptions Clone() => (GeneticTunerOptions)MemberwiseClone();
}
