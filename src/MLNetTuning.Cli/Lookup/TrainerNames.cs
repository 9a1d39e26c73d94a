using System.Reflection;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Cli.Lookup;

/// <summary>
/// The core's trainer presets by name, per task: every public method of a preset catalog that returns a
/// <see cref="TunableEstimator"/> (so presets added to the core appear here without a change).
/// </summary>
internal static class TrainerNames
{
    public static IReadOnlyList<string> Known(TuningCatalog catalog, TuningTask task) => Methods(CatalogOf(catalog, task)).Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The presets named in <paramref name="names"/> (case-insensitive), or all of them when empty.</summary>
    /// <exception cref="CliException">A name is not a preset of the task (the message lists the known ones), or a preset lacks <paramref name="budgetUnit"/>.</exception>
    public static TunableEstimator[] Resolve(TuningCatalog catalog, TuningTask task, IReadOnlyList<string> names, string labelColumnName, string featureColumnName, string? budgetUnit = null)
    {
        var target = CatalogOf(catalog, task);
        var methods = Methods(target);
        var chosen = names.Count == 0 ? methods.Keys.Order(StringComparer.Ordinal).ToList() : names.ToList();
        return chosen.Select(name =>
        {
            var method = methods.FirstOrDefault(m => string.Equals(m.Key, name, StringComparison.OrdinalIgnoreCase)).Value
                ?? NetworkPreset(target, name)
                ?? throw new CliException($"Unknown trainer '{name}' for {TaskNames.Name(task)}. Known: {string.Join(", ", methods.Keys.Order(StringComparer.Ordinal))}.");
            var arguments = method.GetParameters().Skip(method.IsStatic ? 1 : 0).Select(p => p.Name switch
            {
                "labelColumnName" => labelColumnName,
                "featureColumnName" => featureColumnName,
                _ => p.DefaultValue,
            }).ToArray();
            var estimator = (TunableEstimator)(method.IsStatic ? method.Invoke(null, [target, .. arguments]) : method.Invoke(target, arguments))!;
            try
            {
                return budgetUnit is null ? estimator : estimator.WithBudget(budgetUnit);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--budget-unit: {CliException.MessageOf(e)}");
            }
        }).ToArray();
    }

    /// <summary>The network preset of the task's catalog (an extension method of MLNetTuning.TorchSharp), taken
    /// when named.</summary>
    private static MethodInfo? NetworkPreset(object presets, string name) => typeof(MLNetTuning.TorchSharp.NeuralNetworkPresets)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) && m.ReturnType == typeof(TunableEstimator)
            && m.GetParameters() is [var first, ..] && first.ParameterType == presets.GetType());

    private static object CatalogOf(TuningCatalog catalog, TuningTask task) => task switch
    {
        TuningTask.BinaryClassification => catalog.BinaryClassification,
        TuningTask.MulticlassClassification => catalog.MulticlassClassification,
        _ => catalog.Regression,
    };

    private static Dictionary<string, MethodInfo> Methods(object presets) => presets.GetType()
        .GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.ReturnType == typeof(TunableEstimator) && m.GetParameters().All(p => p.IsOptional))
        .ToDictionary(m => m.Name, StringComparer.Ordinal);
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
