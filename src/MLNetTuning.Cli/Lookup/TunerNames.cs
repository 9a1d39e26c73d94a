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
    public static IReadOnlyList<string> Known(TunerCatalog catalog) => Factories(catalog).Keys.Order(StringComparer.Ordinal).ToList();

    /// <exception cref="CliException">No tuner of that name; the message lists the known ones.</exception>
    public static TunerFactory Resolve(TunerCatalog catalog, string name)
    {
        var factories = Factories(catalog);
        return factories.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.Invoke()
            ?? throw new CliException($"Unknown tuner '{name}'. Known: {string.Join(", ", factories.Keys.Order(StringComparer.Ordinal))}.");
    }

    private static Dictionary<string, Func<TunerFactory>> Factories(TunerCatalog catalog)
    {
        var found = new Dictionary<string, Func<TunerFactory>>(StringComparer.OrdinalIgnoreCase);
        foreach (var method in typeof(TunerCatalog).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                     .Where(m => m.ReturnType == typeof(TunerFactory) && m.GetParameters().All(p => p.IsOptional)))
        {
            found[method.Name.ToLowerInvariant()] = () => (TunerFactory)method.Invoke(catalog, method.GetParameters().Select(p => p.DefaultValue).ToArray())!;
        }

        var extensions = typeof(TunerCatalog).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(TunerFactory)
                && m.GetParameters() is [var first, ..] && first.ParameterType == typeof(TunerCatalog)
                && m.GetParameters().Skip(1).All(p => p.IsOptional));
        foreach (var method in extensions)
        {
            Func<TunerFactory> create = () => (TunerFactory)method.Invoke(null, [catalog, .. method.GetParameters().Skip(1).Select(p => p.DefaultValue)])!;
            found.TryAdd(method.Name.ToLowerInvariant(), create);

            // A tuner is also known by its short name ("gp" for GaussianProcess), as in results and benchmarks.
            found.TryAdd(create().Name, create);
        }

        return found;
    }
}
