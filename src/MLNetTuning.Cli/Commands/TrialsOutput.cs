using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetTuning.Storage;
using MLNetTuning.Studies;

namespace MLNetTuning.Cli.Commands;

/// <summary>Trials as CSV (<see cref="TrialTable"/>) or JSON (every stored field) for <c>trials --format</c>.</summary>
internal static class TrialsOutput
{
    public static void Write(IReadOnlyList<TuningTrial> trials, string format, TextWriter writer)
    {
        if (format == "csv")
        {
            new TrialTable(trials).WriteCsv(writer);
            return;
        }

        var array = new JsonArray();
        foreach (var t in trials)
        {
            array.Add(new JsonObject
            {
                ["trial"] = t.Id,
                ["state"] = TrialRecord.StateName(t.State),
                ["value"] = t.Value,
                ["loss"] = t.Loss,
                ["budget"] = t.Budget,
                ["parent"] = t.ParentTrialId,
                ["duration_seconds"] = t.Duration?.TotalSeconds,
                ["worker"] = t.WorkerId,
                ["started_at"] = t.StartedAt.ToString("O", CultureInfo.InvariantCulture),
                ["completed_at"] = t.CompletedAt?.ToString("O", CultureInfo.InvariantCulture),
                ["parameters"] = JsonNode.Parse(t.Parameters.ToJson()),
                ["intermediate"] = new JsonObject(t.IntermediateValues.Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
                ["attributes"] = new JsonObject(t.Attributes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["error"] = t.Error,
            });
        }

        writer.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
