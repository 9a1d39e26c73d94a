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

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The portfolio file '{path}' is not JSON: {e.Message}", nameof(path), e);
        }

        var stored = root?["task"]?.GetValue<string>();
        if (root?["entries"] is not JsonArray entries || stored is null)
        {
            throw new ArgumentException($"The portfolio file '{path}' has no \"task\" and \"entries\": it is not a portfolio.", nameof(path));
        }

        if (!string.Equals(stored, task, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The portfolio file '{path}' was built for the task '{stored}', not '{task}'.", nameof(path));
        }

        return entries.Select(e => new PortfolioEntry(
            e?["trainer"]?.GetValue<string>() ?? throw new ArgumentException($"The portfolio file '{path}' has an entry without a trainer.", nameof(path)),
            TrialParameters.FromJson(e["parameters"]?.ToJsonString() ?? "{}"))).ToList();
    }
}
