using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Cli.Lookup;

/// <summary>
/// Tuners by name: every method of <see cref="TunerCatalog"/>, and every extension method on it in the core
/// assembly, that returns a <see cref="TunerFactory"/> with only optional parameters. New tuners (which add
/// such an extension method) are found without a change here.
/// </summary>
internal static class TunerNames
{
    public static IReadOnlyList<string> Known(TunerCatalog catalog) => Methods(catalog).Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The multi-fidelity tuners (those whose options take a budget range), by name.</summary>
    public static IReadOnlyList<string> MultiFidelity(TunerCatalog catalog) => Methods(catalog)
        .Where(m => TakesBudgets(m.Value)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>The tuner of that name; with <paramref name="minBudget"/> or <paramref name="maxBudget"/>, a
    /// multi-fidelity tuner with that budget range (the rest at its defaults).</summary>
    /// <exception cref="CliException">No tuner of that name (the message lists the known ones), budgets for a tuner
    /// without them, or an invalid budget range.</exception>
    /// <param name="catalog">The catalog whose tuners are looked up.</param>
    /// <param name="name">The tuner's name or short name.</param>
    /// <param name="minBudget">The smallest budget (<c>--min-budget</c>), or null.</param>
    /// <param name="maxBudget">The largest budget (<c>--max-budget</c>), or null.</param>
    /// <param name="timeBudget">The run's time budget (<c>--time</c>), given to tuners whose options take one
    /// (the GP's and Auto's, for their cost cooling).</param>
    /// <param name="tunerOptions">Properties of the tuner's options set by name (<c>--tuner-option</c>), or null.</param>
    /// <param name="trialBudget">The study's trials when they are its budget (<c>--trials</c> without <c>--time</c>),
    /// given to Auto for its choice; null when unknown.</param>
    public static TunerFactory Resolve(TunerCatalog catalog, string name, double? minBudget = null, double? maxBudget = null, TimeSpan? timeBudget = null, IReadOnlyDictionary<string, string>? tunerOptions = null, int? trialBudget = null)
    {
        var methods = Methods(catalog);
        var method = methods.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value
            ?? throw new CliException($"Unknown tuner '{name}'. Known: {string.Join(", ", methods.Keys.Order(StringComparer.Ordinal))}.");
        var optionsParameter = OptionsParameter(method);
        var optionsType = optionsParameter?.ParameterType;
        object? options = null;
        if (optionsType == typeof(PbtTunerOptions))
        {
            options = PbtOptions(minBudget, maxBudget);
        }
        else if (minBudget is not null || maxBudget is not null)
        {
            if (!IsBudgetOptions(optionsType))
            {
                throw new CliException($"--min-budget and --max-budget need a multi-fidelity tuner ({string.Join(", ", MultiFidelity(catalog))}) or pbt; '{name}' trains every trial fully.");
            }

            var budgets = (MultiFidelityOptions)Activator.CreateInstance(optionsType)!;
            try
            {
                budgets.MaxBudget = maxBudget ?? Math.Max(budgets.MaxBudget, minBudget!.Value);
                budgets.MinBudget = minBudget ?? Math.Min(budgets.MinBudget, budgets.MaxBudget);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--min-budget/--max-budget: {CliException.MessageOf(e)}");
            }

            if (budgets.MinBudget > budgets.MaxBudget)
            {
                throw new CliException($"--min-budget ({budgets.MinBudget}) is above --max-budget ({budgets.MaxBudget}).");
            }

            options = budgets;
        }

        if (tunerOptions is { Count: > 0 })
        {
            var type = optionsType is { IsAbstract: false } concrete && TunerOptionValues.Settable(concrete).Count > 0
                ? concrete
                : throw new CliException($"--tuner-option: '{name}' has no options to set.");
            options ??= Activator.CreateInstance(type)!;
            TunerOptionValues.Apply(options, name, tunerOptions);
        }

        if (timeBudget is not null && optionsType is { IsAbstract: false } timed
            && timed.GetProperty("TimeBudget") is { CanWrite: true } property && property.PropertyType == typeof(TimeSpan?))
        {
            options ??= Activator.CreateInstance(timed)!;
            property.SetValue(options, timeBudget);
        }

        if (trialBudget is not null && optionsType == typeof(AutoTunerOptions))
        {
            // A --tuner-option MaxTrials=N given by the user wins.
            var auto = (AutoTunerOptions)(options ??= new AutoTunerOptions());
            auto.MaxTrials ??= trialBudget;
        }

        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(TunerCatalog) ? catalog : p == optionsParameter && options is not null ? options : p.DefaultValue).ToArray();
        return (TunerFactory)method.Invoke(method.IsStatic ? null : catalog, arguments)!;
    }

    /// <summary>PBT's options from the budget options: each member trains <paramref name="maxBudget"/> units of its
    /// trainer (epochs, iterations) in all (default 20, the network's default epochs), in intervals of
    /// <paramref name="minBudget"/> (default 2).</summary>
    /// <exception cref="CliException">A budget is not positive, or the interval is above the total.</exception>
    public static PbtTunerOptions PbtOptions(double? minBudget, double? maxBudget)
    {
        var options = new PbtTunerOptions();
        try
        {
            options.MaxBudget = maxBudget ?? options.MaxBudget;
            options.PerturbationInterval = minBudget ?? Math.Min(options.PerturbationInterval, options.MaxBudget);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--min-budget/--max-budget: {CliException.MessageOf(e)}");
        }

        if (options.PerturbationInterval > options.MaxBudget)
        {
            throw new CliException($"--min-budget ({options.PerturbationInterval}, PBT's interval) is above --max-budget ({options.MaxBudget}, the budget each member trains).");
        }

        return options;
    }

    private static ParameterInfo? OptionsParameter(MethodInfo method) => method.GetParameters().FirstOrDefault(p => p.ParameterType.Name.EndsWith("Options", StringComparison.Ordinal));

    private static bool TakesBudgets(MethodInfo method) => IsBudgetOptions(OptionsParameter(method)?.ParameterType);

    private static bool IsBudgetOptions([NotNullWhen(true)] Type? optionsType) => optionsType is { IsAbstract: false } && optionsType.IsAssignableTo(typeof(MultiFidelityOptions));

    private static Dictionary<string, MethodInfo> Methods(TunerCatalog catalog)
    {
        var found = new Dictionary<string, MethodInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var method in typeof(TunerCatalog).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                     .Where(m => m.ReturnType == typeof(TunerFactory) && m.GetParameters().All(p => p.IsOptional)))
        {
            found[method.Name.ToLowerInvariant()] = method;
        }

        var extensions = typeof(TunerCatalog).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(TunerFactory)
                && m.GetParameters() is [var first, ..] && first.ParameterType == typeof(TunerCatalog)
                && m.GetParameters().Skip(1).All(p => p.IsOptional));
        foreach (var method in extensions)
        {
            found.TryAdd(method.Name.ToLowerInvariant(), method);

            // A tuner is also known by its short name ("gp" for GaussianProcess), as in results and benchmarks.
            var factory = (TunerFactory)method.Invoke(null, [catalog, .. method.GetParameters().Skip(1).Select(p => p.DefaultValue)])!;
            found.TryAdd(factory.Name, method);
        }

        return found;
    }
}
