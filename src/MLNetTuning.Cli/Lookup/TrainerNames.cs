using System.Reflection;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Cli.Lookup;

/// <summary>
/// Trainer presets by name, per task: every public method of a core preset catalog, and every extension method on it
/// in the network package, that returns a <see cref="TunableEstimator"/> with only optional parameters (so presets
/// added to either appear here without a change).
/// </summary>
internal static class TrainerNames
{
    /// <summary>Rows up to which the networks are among the default trainers (with numeric features only): a network
    /// trial costs epochs over every row, where a tree or linear trial costs about one pass.</summary>
    public const int NetworkDefaultRowLimit = 10_000;

    /// <summary>Assemblies that add presets as extension methods of the core catalogs.</summary>
    private static readonly Assembly[] PresetAssemblies = [typeof(NeuralNetworkPresets).Assembly];

    /// <summary>What PBT searches of a network: all but the architecture and the optimizer's kind, which a checkpoint
    /// fixes (they keep their defaults: 2 hidden layers of 64 ReLU units, Adam). Epochs are PBT's budget.</summary>
    public static HyperparameterSpace NetworkPopulationSpace { get; } = new(NeuralNetworkPresets.DefaultSpace.Where(p => p.Key is not (
        NeuralNetworkPresets.HiddenLayers or NeuralNetworkPresets.Units or NeuralNetworkPresets.Activation or NeuralNetworkPresets.BatchNormalization or NeuralNetworkPresets.Optimizer)));

    /// <summary>Every preset of the task, sorted.</summary>
    public static IReadOnlyList<string> Known(TuningCatalog catalog, TuningTask task) => Methods(CatalogOf(catalog, task)).Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The network presets of the task (trainers of the TorchSharp package), sorted.</summary>
    public static IReadOnlyList<string> Networks(TuningCatalog catalog, TuningTask task) => Methods(CatalogOf(catalog, task))
        .Where(m => PresetAssemblies.Contains(m.Value.DeclaringType!.Assembly)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>The trainers tuned when --trainers is not given: every classical preset, and the networks when every
    /// feature is a number (numeric or Boolean) and the data has at most <see cref="NetworkDefaultRowLimit"/> rows.</summary>
    public static IReadOnlyList<string> Defaults(TuningCatalog catalog, TuningTask task, bool numericFeaturesOnly, int rows)
    {
        var networks = Networks(catalog, task);
        var withNetworks = numericFeaturesOnly && rows <= NetworkDefaultRowLimit;
        return Known(catalog, task).Where(name => withNetworks || !networks.Contains(name)).ToList();
    }

    /// <summary>The presets named in <paramref name="names"/> (case-insensitive), or every preset of the task when
    /// empty, each with its budget from <paramref name="budgets"/> (none: the trainer's own unit). With
    /// <paramref name="populationBased"/>, a network searches <see cref="NetworkPopulationSpace"/>.</summary>
    /// <exception cref="CliException">A name is not a preset of the task (the message lists the known ones), or a
    /// budget names a unit a trainer lacks or a range the unit refuses.</exception>
    public static TunableEstimator[] Resolve(TuningCatalog catalog, TuningTask task, IReadOnlyList<string> names, string labelColumnName, string featureColumnName, BudgetUnitChoice? budgets = null, bool populationBased = false)
    {
        var target = CatalogOf(catalog, task);
        var methods = Methods(target);
        var known = methods.Keys.Order(StringComparer.Ordinal).ToList();
        var chosen = names.Count == 0 ? known : names.ToList();
        var resolved = chosen.Select(name =>
        {
            var (preset, method) = methods.FirstOrDefault(m => string.Equals(m.Key, name, StringComparison.OrdinalIgnoreCase));
            if (method is null)
            {
                throw new CliException($"Unknown trainer '{name}' for {TaskNames.Name(task)}. Known: {string.Join(", ", known)}.");
            }

            var arguments = method.GetParameters().Select(p => p.Name switch
            {
                _ when p.ParameterType.IsInstanceOfType(target) && p.Position == 0 && method.IsStatic => target,
                "labelColumnName" => labelColumnName,
                "featureColumnName" => featureColumnName,
                "space" when populationBased && PresetAssemblies.Contains(method.DeclaringType!.Assembly) => NetworkPopulationSpace,
                _ => p.DefaultValue,
            }).ToArray();
            var estimator = (TunableEstimator)method.Invoke(method.IsStatic ? null : target, arguments)!;
            return (Name: preset, Estimator: budgets?.Apply(preset, estimator) ?? estimator);
        }).ToList();
        budgets?.CheckNamed(resolved.Select(r => r.Name).ToList());
        return resolved.Select(r => r.Estimator).ToArray();
    }

    private static object CatalogOf(TuningCatalog catalog, TuningTask task) => task switch
    {
        TuningTask.BinaryClassification => catalog.BinaryClassification,
        TuningTask.MulticlassClassification => catalog.MulticlassClassification,
        _ => catalog.Regression,
    };

    private static Dictionary<string, MethodInfo> Methods(object presets)
    {
        var catalogType = presets.GetType();
        var found = catalogType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.ReturnType == typeof(TunableEstimator) && m.GetParameters().All(p => p.IsOptional))
            .ToDictionary(m => m.Name, StringComparer.Ordinal);
        var extensions = PresetAssemblies.SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsSealed && t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(TunableEstimator)
                && m.GetParameters() is [var first, ..] && first.ParameterType == catalogType
                && m.GetParameters().Skip(1).All(p => p.IsOptional));
        foreach (var method in extensions)
        {
            found.TryAdd(method.Name, method);
        }

        return found;
    }
}

/// <summary>Task names on the command line.</summary>
internal static class TaskNames
{
    public static readonly string[] All = ["binary", "multiclass", "regression"];

    public static TuningTask Parse(string name) => name.ToLowerInvariant() switch
    {
        "binary" or "binary-classification" => TuningTask.BinaryClassification,
        "multiclass" or "multiclass-classification" => TuningTask.MulticlassClassification,
        "regression" => TuningTask.Regression,
        _ => throw new CliException($"Unknown task '{name}'. Known: {string.Join(", ", All)}."),
    };

    public static string Name(TuningTask task) => task switch
    {
        TuningTask.BinaryClassification => "binary",
        TuningTask.MulticlassClassification => "multiclass",
        _ => "regression",
    };
}
