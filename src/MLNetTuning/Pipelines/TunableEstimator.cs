using Microsoft.ML;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines;

/// <summary>
/// An ML.NET estimator whose hyperparameters are searched: a search space and a factory that builds the
/// estimator from the parameters a tuner proposes. Append it to an estimator to make a <see cref="TunablePipeline"/>.
/// </summary>
public sealed class TunableEstimator
{
    private readonly Func<MLContext, TrialParameters, TrainingContinuation?, IEstimator<ITransformer>> _factory;
    private readonly Func<ITransformer, object?>? _checkpointOf;
    private readonly IReadOnlyList<BudgetUnit> _budgetUnits = [BudgetUnit.DataFraction];

    /// <summary>Creates a tunable estimator.</summary>
    /// <param name="name">Name shown in results (e.g. "FastTree"); unique within a choice.</param>
    /// <param name="space">The estimator's search space (may be empty).</param>
    /// <param name="factory">Builds the estimator from a trial's <see cref="MLContext"/> (seeded per trial) and parameters.</param>
    public TunableEstimator(string name, HyperparameterSpace space, Func<MLContext, TrialParameters, IEstimator<ITransformer>> factory)
    {
        HyperparameterSpace.ValidateName(name);
        Name = name;
        Space = space ?? throw new ArgumentNullException(nameof(space));
        ArgumentNullException.ThrowIfNull(factory);
        _factory = (context, parameters, _) => factory(context, parameters);
    }

    private TunableEstimator(string name, HyperparameterSpace space, BudgetUnit unit, Func<MLContext, TrialParameters, TrainingContinuation?, IEstimator<ITransformer>> factory, Func<ITransformer, object?> checkpointOf)
    {
        HyperparameterSpace.ValidateName(name);
        Name = name;
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _checkpointOf = checkpointOf ?? throw new ArgumentNullException(nameof(checkpointOf));
        _budgetUnits = [unit ?? throw new ArgumentNullException(nameof(unit)), BudgetUnit.DataFraction];
    }

    /// <summary>
    /// A tunable trainer that continues training from a checkpoint: the network (epochs) or an online linear
    /// trainer (iterations). Multi-fidelity promotions and population-based training resume it from the parent
    /// trial's checkpoint instead of training again from the start.
    /// </summary>
    /// <param name="name">Name shown in results.</param>
    /// <param name="space">The search space.</param>
    /// <param name="unit">The budget unit (e.g. epochs); it sets the total amount to reach in the parameters.</param>
    /// <param name="factory">Builds the estimator; the continuation is null when training starts from scratch.</param>
    /// <param name="checkpointOf">The checkpoint of a fitted transformer of this trainer, or null for any other transformer.</param>
    public static TunableEstimator Continuable(string name, HyperparameterSpace space, BudgetUnit unit, Func<MLContext, TrialParameters, TrainingContinuation?, IEstimator<ITransformer>> factory, Func<ITransformer, object?> checkpointOf) =>
        new(name, space, unit, factory, checkpointOf);

    /// <summary>Whether this trainer continues from checkpoints (see <see cref="Continuable"/>).</summary>
    public bool CanContinue => _checkpointOf is not null;

    /// <summary>The checkpoint of a fitted transformer of this trainer, or null.</summary>
    public object? CheckpointOf(ITransformer transformer) => _checkpointOf?.Invoke(transformer);

    private TunableEstimator(TunableEstimator source, HyperparameterSpace space, IReadOnlyList<BudgetUnit> budgetUnits, TrainingBudget? budget)
    {
        Name = source.Name;
        Space = space;
        _factory = source._factory;
        _checkpointOf = source._checkpointOf;
        _budgetUnits = budgetUnits;
        Budget = budget;
        NeedsNonNegativeLabels = source.NeedsNonNegativeLabels;
    }

    /// <summary>Creates a tunable estimator from an options class carrying ML.NET's search-space attributes.</summary>
    /// <param name="name">Name shown in results.</param>
    /// <param name="factory">Builds the estimator from the decoded options.</param>
    /// <param name="defaults">Non-searched members (column names) and defaults of the searched ones.</param>
    public static TunableEstimator FromOptions<TOptions>(string name, Func<MLContext, TOptions, IEstimator<ITransformer>> factory, TOptions? defaults = null)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(factory);
        var space = HyperparameterSpace.FromOptions(defaults);
        return new TunableEstimator(name, space, (context, parameters) => factory(context, parameters.ToOptions(defaults)));
    }

    /// <summary>Name shown in results.</summary>
    public string Name { get; }

    /// <summary>The search space.</summary>
    public HyperparameterSpace Space { get; }

    /// <summary>Units this estimator's budget can be counted in; the first is its default. Every estimator
    /// supports <see cref="BudgetUnit.DataFraction"/>.</summary>
    public IReadOnlyList<BudgetUnit> BudgetUnits => _budgetUnits;

    /// <summary>The budget chosen with <see cref="WithBudget(string, double?, double?)"/>, or null for the default.</summary>
    public TrainingBudget? Budget { get; }

    /// <summary>How a multi-fidelity tuner's budget trains this estimator: <see cref="Budget"/>, or else the first
    /// of <see cref="BudgetUnits"/> with its default range.</summary>
    public TrainingBudget EffectiveBudget => Budget ?? new TrainingBudget(_budgetUnits[0]);

    /// <summary>Declares the units this estimator's budget can be counted in, the first being the default
    /// (for trainer authors: a checkpointing trainer adds its epochs unit). The data fraction is always kept.</summary>
    public TunableEstimator WithBudgetUnits(params BudgetUnit[] units)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (units.Any(u => u is null))
        {
            throw new ArgumentException("Budget units cannot be null.", nameof(units));
        }

        var all = units.Append(BudgetUnit.DataFraction).DistinctBy(u => u.Name).ToList();
        return new TunableEstimator(this, Space, all, Budget);
    }

    /// <summary>Trains this estimator by a budget in <paramref name="unit"/> (one of <see cref="BudgetUnits"/>),
    /// from <paramref name="minimum"/> at the tuner's smallest budget to <paramref name="maximum"/> at its full
    /// budget (the unit's defaults when null). A unit that sets a hyperparameter (trees) removes it from the space.</summary>
    /// <exception cref="ArgumentException">The estimator has no such unit, or the range is invalid; the message names them.</exception>
    public TunableEstimator WithBudget(string unit, double? minimum = null, double? maximum = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        var known = _budgetUnits.FirstOrDefault(u => u.Name == unit)
            ?? throw new ArgumentException($"'{Name}' has no budget unit '{unit}'; its units are: {string.Join(", ", _budgetUnits.Select(u => u.Name))}.", nameof(unit));
        var budget = new TrainingBudget(known, minimum, maximum);
        var space = known.ParameterName is { } parameter && Space.ContainsKey(parameter)
            ? new HyperparameterSpace(Space.Where(kv => kv.Key != parameter))
            : Space;
        return new TunableEstimator(this, space, _budgetUnits, budget);
    }

    /// <summary>What <see cref="NeedsNonNegativeLabels"/> asks of the label, as messages name it.</summary>
    internal const string NonNegativeLabels = "non-negative labels (>= 0)";

    /// <summary>The trainer fails on a label below 0 (Poisson regression: its labels are counts or rates), so data
    /// with one is refused before the first trial instead of failing every trial of it.</summary>
    internal bool NeedsNonNegativeLabels { get; private init; }

    /// <summary>This estimator, declared to need labels of 0 or more (see <see cref="NeedsNonNegativeLabels"/>).</summary>
    internal TunableEstimator RequiringNonNegativeLabels() => new(this, Space, _budgetUnits, Budget) { NeedsNonNegativeLabels = true };

    /// <summary>Builds the estimator for a trial.</summary>
    public IEstimator<ITransformer> Build(MLContext context, TrialParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        return Build(context, parameters, null);
    }

    /// <summary>Builds the estimator for a trial, continuing from <paramref name="continuation"/> when given.</summary>
    /// <exception cref="InvalidOperationException">A continuation was given to a trainer that cannot continue.</exception>
    public IEstimator<ITransformer> Build(MLContext context, TrialParameters parameters, TrainingContinuation? continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        if (continuation is not null && !CanContinue)
        {
            throw new InvalidOperationException($"'{Name}' cannot continue training from a checkpoint.");
        }

        return _factory(context, parameters, continuation) ?? throw new InvalidOperationException($"The factory of '{Name}' returned no estimator.");
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
