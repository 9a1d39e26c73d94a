using Microsoft.ML;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines;

/// <summary>
/// An ML.NET estimator whose hyperparameters are searched: a search space and a factory that builds the
/// estimator from the parameters a tuner proposes. Append it to an estimator to make a <see cref="TunablePipeline"/>.
/// </summary>
public sealed class TunableEstimator
{
    private readonly Func<MLContext, TrialParameters, IEstimator<ITransformer>> _factory;

    /// <summary>Creates a tunable estimator.</summary>
    /// <param name="name">Name shown in results (e.g. "FastTree"); unique within a choice.</param>
    /// <param name="space">The estimator's search space (may be empty).</param>
    /// <param name="factory">Builds the estimator from a trial's <see cref="MLContext"/> (seeded per trial) and parameters.</param>
    public TunableEstimator(string name, HyperparameterSpace space, Func<MLContext, TrialParameters, IEstimator<ITransformer>> factory)
    {
        HyperparameterSpace.ValidateName(name);
        Name = name;
        Space = space ?? throw new ArgumentNullException(nameof(space));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
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

    /// <summary>Builds the estimator for a trial.</summary>
    public IEstimator<ITransformer> Build(MLContext context, TrialParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        return _factory(context, parameters) ?? throw new InvalidOperationException($"The factory of '{Name}' returned no estimator.");
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
