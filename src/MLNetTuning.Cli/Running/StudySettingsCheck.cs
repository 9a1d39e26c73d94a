using System.Text.Json.Nodes;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// A study resumed with other settings would mix trials measured differently (an F1 score ranked with AUCs, another
/// split, another file), so a stored study is only resumed with the settings it was made with.
/// </summary>
internal static class StudySettingsCheck
{
    /// <summary>Settings a resumed run may change: where the file is (its hash is compared), the tuner and the budget.</summary>
    private static readonly HashSet<string> MayChange = ["data_path", "tuner", "tuner_options", "trials", "min_budget", "max_budget"];

    private static readonly Dictionary<string, string> OptionNames = new()
    {
        ["label_column"] = "--label",
        ["task"] = "--task",
        ["trainers"] = "--trainers",
        ["metric"] = "--metric",
        ["seed"] = "--seed",
        ["validation_fraction"] = "--validation-fraction",
        ["data_size"] = "data file size",
        ["data_hash"] = "data file SHA-256",
        ["column_kinds"] = "--column-kind",
        ["budget_unit"] = "--budget-unit",
        ["validation_data"] = "--validation-data",
        ["cross_validation_folds"] = "--cv",
    };

    /// <summary>The study name to run: <paramref name="name"/> when the store lacks it or holds it with the same
    /// settings; with <paramref name="forceNew"/>, the first free name <c>NAME-2</c>, <c>NAME-3</c>, ... when it holds it.</summary>
    /// <exception cref="CliException">The stored study has other settings (exit 3); the message names each difference.</exception>
    public static string NameFor(ITrialStore store, string name, TuneSettings settings, bool forceNew)
    {
        var stored = store.FindStudy(name);
        if (stored is null)
        {
            return name;
        }

        if (forceNew)
        {
            for (var n = 2; ; n++)
            {
                var candidate = StudyNames.Validate($"{name[..Math.Min(name.Length, 120)]}-{n}");
                if (store.FindStudy(candidate) is null)
                {
                    return candidate;
                }
            }
        }

        if (!stored.Attributes.TryGetValue(TuneSettings.AttributeKey, out var json))
        {
            return name;
        }

        var differences = Differences(TuneSettings.FromJson(json), settings);
        if (differences.Count > 0)
        {
            throw new CliException(
                $"Study '{name}' in {StoreLocation.Describe(store)} was made with other settings: {string.Join("; ", differences)}. " +
                "Resuming it would mix trials measured differently. Run with the stored settings, pass --force-new-study to start a new study beside it, or give another --study name.",
                ExitCodes.StoreError);
        }

        return name;
    }

    /// <summary>Each setting that differs, as "OPTION: stored X, now Y". A study stored before the data hash was
    /// kept is compared only on the settings it has.</summary>
    public static IReadOnlyList<string> Differences(TuneSettings stored, TuneSettings now)
    {
        var before = Comparable(stored);
        var after = Comparable(now);
        var keys = stored.DataHash is null ? before.Select(p => p.Key) : before.Select(p => p.Key).Union(after.Select(p => p.Key));
        var differences = new List<string>();
        foreach (var key in keys.Where(k => !MayChange.Contains(k)).ToList())
        {
            var value = before[key];
            var current = after[key];
            if (!JsonNode.DeepEquals(value, current))
            {
                differences.Add($"{OptionNames.GetValueOrDefault(key, key)}: stored {Show(value)}, now {Show(current)}");
            }
        }

        return differences;
    }

    /// <summary>Settings as JSON with defaults spelled out: the metric's default name, all trainers for none given, sorted.</summary>
    private static JsonObject Comparable(TuneSettings settings)
    {
        var task = TaskNames.Parse(settings.Task);
        var trainers = settings.Trainers.Count == 0
            ? TrainerNames.Known(new Microsoft.ML.MLContext(0).Tuning(), task)
            : settings.Trainers;
        var normalized = settings with
        {
            Metric = MetricNames.Resolve(task, settings.Metric).Name,
            Trainers = trainers.Select(t => t.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList(),
        };
        return JsonNode.Parse(normalized.ToJson())!.AsObject();
    }

    private static string Show(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 16 && s.All(char.IsAsciiHexDigit) ? s[..12] + "..." : s,
        _ => value.ToJsonString(),
    };
}
