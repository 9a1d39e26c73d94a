using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines;

/// <summary>
/// A chain of fixed estimators and tunable stages. A stage of one <see cref="TunableEstimator"/> contributes
/// its space under the estimator's name; a stage of several is a choice between them (a
/// <see cref="ConditionalChoice"/> keyed "trainer", then "trainer2", ...), each carrying its own sub-space.
/// </summary>
public sealed class TunablePipeline
{
    private readonly List<Stage> _stages = [];

    /// <summary>Creates an empty pipeline.</summary>
    public TunablePipeline()
    {
    }

    /// <summary>Appends a fixed estimator (a featurizer, a column mapping).</summary>
    public TunablePipeline Append(IEstimator<ITransformer> estimator)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        _stages.Add(new Stage(null, estimator, []));
        return this;
    }

    /// <summary>Appends one tunable estimator, or a choice between several.</summary>
    public TunablePipeline Append(params TunableEstimator[] estimators) => AppendChoice(null, estimators);

    /// <summary>Appends a choice between tunable estimators under a parameter name of your own.</summary>
    public TunablePipeline AppendChoice(string? name, params TunableEstimator[] estimators)
    {
        ArgumentNullException.ThrowIfNull(estimators);
        if (estimators.Length == 0 || estimators.Any(e => e is null))
        {
            throw new ArgumentException("Append needs at least one tunable estimator, and none may be null.", nameof(estimators));
        }

        var duplicate = estimators.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two estimators of one choice are named '{duplicate.Key}'; names must be unique.", nameof(estimators));
        }

        var key = name ?? (estimators.Length == 1 ? estimators[0].Name : NextTrainerKey());
        HyperparameterSpace.ValidateName(key);
        if (_stages.Any(s => s.Key == key))
        {
            throw new ArgumentException($"The pipeline already has a tunable stage named '{key}'.", nameof(name));
        }

        _stages.Add(new Stage(key, null, estimators));
        return this;
    }

    /// <summary>The pipeline's search space.</summary>
    public HyperparameterSpace Space => SpaceOf(c => c.Space);

    /// <summary>The space a tuner that sets budgets searches: without the parameters the budgets set (trees, epochs, iterations).</summary>
    public HyperparameterSpace BudgetedSpace => SpaceOf(c => c.EffectiveBudget.Unit.ParameterName is { } set && c.Space.ContainsKey(set)
        ? new HyperparameterSpace(c.Space.Where(kv => kv.Key != set))
        : c.Space);

    private HyperparameterSpace SpaceOf(Func<TunableEstimator, HyperparameterSpace> spaceOf) => new(_stages.Where(s => s.Key is not null).Select(s => new KeyValuePair<string, HyperparameterDomain>(
        s.Key!,
        s.Choices.Length == 1 && s.Key == s.Choices[0].Name
            ? spaceOf(s.Choices[0])
            : new ConditionalChoice(s.Choices.Select(c => new KeyValuePair<string, HyperparameterSpace>(c.Name, spaceOf(c)))))));

    /// <summary>The tunable stages' choices, in order.</summary>
    public IReadOnlyList<IReadOnlyList<TunableEstimator>> TunableStages => _stages.Where(s => s.Key is not null).Select(s => (IReadOnlyList<TunableEstimator>)s.Choices).ToList();

    /// <summary>Builds the ML.NET estimator chain for one set of parameters of <see cref="Space"/>.</summary>
    public IEstimator<ITransformer> Build(MLContext context, TrialParameters parameters) => Build(context, parameters, null);

    /// <summary>Builds the chain, letting <paramref name="adjust"/> change each chosen estimator's parameters (budgets).</summary>
    internal IEstimator<ITransformer> Build(MLContext context, TrialParameters parameters, Func<TunableEstimator, TrialParameters, TrialParameters>? adjust, Func<TunableEstimator, TrainingContinuation?>? continueFrom = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (var stage in _stages)
        {
            if (stage.Fixed is not null)
            {
                chain = chain.Append(stage.Fixed);
                continue;
            }

            var estimator = Resolve(stage, parameters, out var chosen);
            chain = chain.Append(estimator.Build(context, adjust is null ? chosen : adjust(estimator, chosen), continueFrom?.Invoke(estimator)));
        }

        return chain;
    }

    /// <summary>The tunable estimators a set of parameters chooses, one per tunable stage.</summary>
    internal IReadOnlyList<TunableEstimator> Chosen(TrialParameters parameters) =>
        _stages.Where(s => s.Key is not null).Select(s => Resolve(s, parameters, out _)).ToList();

    /// <summary>Names the estimators chosen by a set of parameters, e.g. "LightGbm" (joined by '+' when several stages choose).</summary>
    public string DescribeChoice(TrialParameters parameters)
    {
        var names = _stages.Where(s => s.Key is not null).Select(s => Resolve(s, parameters, out _).Name).ToList();
        return names.Count == 0 ? "(fixed)" : string.Join("+", names);
    }

    /// <summary>Parameters that choose <paramref name="estimatorName"/> at every stage where it is an option, with defaults elsewhere.</summary>
    internal TrialParameters DefaultsChoosing(string estimatorName)
    {
        var defaults = Space.Defaults;
        foreach (var stage in _stages.Where(s => s.Key is not null && s.Choices.Length > 1))
        {
            var chosen = stage.Choices.FirstOrDefault(c => c.Name == estimatorName);
            if (chosen is not null)
            {
                defaults = defaults.With(stage.Key!, new BranchSelection(chosen.Name, chosen.Space.Defaults));
            }
        }

        return defaults;
    }

    private static TunableEstimator Resolve(Stage stage, TrialParameters parameters, out TrialParameters chosen)
    {
        var value = parameters[stage.Key!];
        switch (value)
        {
            case BranchSelection selection:
                chosen = selection.Parameters;
                return stage.Choices.FirstOrDefault(c => c.Name == selection.Branch)
                    ?? throw new ArgumentException($"Stage '{stage.Key}' has no estimator '{selection.Branch}'.");
            case TrialParameters nested when stage.Choices.Length == 1:
                chosen = nested;
                return stage.Choices[0];
            default:
                throw new ArgumentException($"Stage '{stage.Key}': unexpected parameter value '{value}'.");
        }
    }

    private string NextTrainerKey()
    {
        var key = "trainer";
        for (var i = 2; _stages.Any(s => s.Key == key); i++)
        {
            key = $"trainer{i}";
        }

        return key;
    }

    private sealed record Stage(string? Key, IEstimator<ITransformer>? Fixed, TunableEstimator[] Choices);
}

/// <summary>Appends tunable estimators to ordinary ML.NET estimators.</summary>
public static class TunablePipelineExtensions
{
    /// <summary>Starts a <see cref="TunablePipeline"/>: this estimator, then one tunable estimator or a choice between several.</summary>
    public static TunablePipeline Append(this IEstimator<ITransformer> estimator, params TunableEstimator[] estimators) =>
        new TunablePipeline().Append(estimator).Append(estimators);

    /// <summary>Makes a pipeline of a single tunable estimator, or of a choice.</summary>
    public static TunablePipeline ToPipeline(this TunableEstimator estimator, params TunableEstimator[] alternatives) =>
        new TunablePipeline().Append([estimator, .. alternatives]);
}
