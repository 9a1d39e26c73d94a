using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Portfolios;

/// <summary>A portfolio as a JSON file: the task it was built for ("binary", "multiclass", "regression") and its
/// configurations, <c>{"task": ..., "entries": [{"trainer": ..., "parameters": {...}}]}</c>.</summary>
public static class PortfolioFile
{
    /// <summary>Writes the portfolio for <paramref name="task"/> to <paramref name="path"/>.</summary>
    public static void Save(string path, string task, IReadOnlyList<PortfolioEntry> entries)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        ArgumentNullException.ThrowIfNull(entries);
        var root = new JsonObject
        {
            ["task"] = task,
            ["entries"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject { ["trainer"] = e.Trainer, ["parameters"] = JsonNode.Parse(e.Parameters.ToJson()) }).ToArray()),
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads a portfolio built for <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">The file is missing, not a portfolio, or was built for another task; the message says which.</exception>
    public static IReadOnlyList<PortfolioEntry> Load(string path, string task)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"The portfolio file '{path}' does not exist.", nameof(path));
        }

        return Parse(File.ReadAllText(path), $"The portfolio file '{path}'", task, nameof(path));
    }

    /// <summary>The portfolio shipped in this package for <paramref name="task"/>: a few configurations per preset
    /// trainer (the names of <see cref="Pipelines.TuningCatalog"/>'s presets), built by
    /// <c>scripts/build-default-portfolio.sh</c> from short studies on generated data and on ML.NET's public test
    /// data sets (docs/retuning.md says which).</summary>
    public static IReadOnlyList<PortfolioEntry> LoadDefault(Pipelines.TuningTask task)
    {
        var name = TaskName(task);
        using var stream = typeof(PortfolioFile).Assembly.GetManifestResourceStream($"MLNetTuning.Portfolios.Default.{name}.json")
            ?? throw new InvalidOperationException($"The default {name} portfolio is missing from the MLNetTuning assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"The default {name} portfolio", name, nameof(task));
    }

    /// <summary>The task's name in a portfolio file: "binary", "multiclass" or "regression".</summary>
    public static string TaskName(Pipelines.TuningTask task) => task switch
    {
        Pipelines.TuningTask.BinaryClassification => "binary",
        Pipelines.TuningTask.MulticlassClassification => "multiclass",
        Pipelines.TuningTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not a task."),
    };

    private static IReadOnlyList<PortfolioEntry> Parse(string text, string origin, string task, string parameterName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{origin} is not JSON: {e.Message}", parameterName, e);
        }

        var stored = root?["task"]?.GetValue<string>();
        if (root?["entries"] is not JsonArray entries || stored is null)
        {
            throw new ArgumentException($"{origin} has no \"task\" and \"entries\": it is not a portfolio.", parameterName);
        }

        if (!string.Equals(stored, task, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{origin} was built for the task '{stored}', not '{task}'.", parameterName);
        }

        return entries.Select(e => new PortfolioEntry(
            e?["trainer"]?.GetValue<string>() ?? throw new ArgumentException($"{origin} has an entry without a trainer.", parameterName),
            TrialParameters.FromJson(e["parameters"]?.ToJsonString() ?? "{}"))).ToList();
    }
}
