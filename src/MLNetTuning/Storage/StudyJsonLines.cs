using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// A study as JSON lines, to move it between stores (SQLite, PostgreSQL) or keep it as a file: a header line with the
/// study (name, direction, creation time, space, attributes, trial count), then one line per trial with every stored
/// column (state, parameters, value, loss, intermediate values, attributes, error, worker, start, end, last heartbeat).
/// Written and read back, a study is identical: the space and parameters are kept as the exact JSON text the store
/// holds, and numbers round-trip (NaN and infinities included).
/// </summary>
/// <remarks>A store writes the result with <see cref="ITrialStore.ImportStudy"/>; to copy between stores without a
/// file, pass <see cref="ITrialStore.FindStudy"/> and <see cref="ITrialStore.Load"/> of one to the other's
/// <see cref="ITrialStore.ImportStudy"/>.</remarks>
public static class StudyJsonLines
{
    /// <summary>The <c>format</c> field of the header line.</summary>
    public const string FormatName = "mlnet-tune-study";

    /// <summary>The version this code writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes the study and its trials, one JSON object per line.</summary>
    public static void Write(StoredStudy study, IReadOnlyList<TuningTrial> trials, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(writer);
        var attributes = new JsonObject();
        foreach (var (key, value) in study.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            attributes[key] = value;
        }

        var header = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["study"] = study.Name,
            ["direction"] = TrialRecord.DirectionName(study.Direction),
            ["createdAtMs"] = study.CreatedAt.ToUnixTimeMilliseconds(),
            ["spaceJson"] = study.SpaceJson,
            ["attributes"] = attributes,
            ["trials"] = trials.Count,
        };
        writer.Write(header.ToJsonString());
        writer.Write('\n');
        foreach (var trial in trials.OrderBy(t => t.Id))
        {
            writer.Write(JsonSerializer.Serialize(TrialRecord.From(trial), Options));
            writer.Write('\n');
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <returns>The study (its trial counts from the trials read) and its trials by id.</returns>
    /// <exception cref="FormatException">The text is not a study export, was written by a newer version, is cut short,
    /// or a line cannot be read; the message gives the line number and the problem.</exception>
    public static (StoredStudy Study, IReadOnlyList<TuningTrial> Trials) Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));

        if (line is null)
        {
            throw new FormatException("The file is empty; a study export starts with a header line.");
        }

        var (name, direction, createdAt, space, spaceJson, attributes, expected) = ReadHeader(line, lineNumber);
        var trials = new List<TuningTrial>();
        var ids = new HashSet<int>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            TuningTrial trial;
            try
            {
                var record = JsonSerializer.Deserialize<TrialRecord>(line, Options) ?? throw new FormatException("the line is 'null', not a trial");
                trial = record.ToTrial(space);
            }
            catch (Exception e) when (TrialRecord.IsMalformedRow(e) || e is InvalidOperationException)
            {
                throw new FormatException($"Line {lineNumber}: not a trial of study '{name}': {e.Message}", e);
            }

            if (!ids.Add(trial.Id))
            {
                throw new FormatException($"Line {lineNumber}: trial {trial.Id} appears twice.");
            }

            trials.Add(trial);
        }

        if (trials.Count != expected)
        {
            throw new FormatException($"The file holds {trials.Count} trials but its header (line 1) announces {expected}: it was cut short or edited.");
        }

        trials.Sort((a, b) => a.Id.CompareTo(b.Id));
        var counts = trials.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count());
        return (new StoredStudy(name, spaceJson, direction, createdAt, attributes, counts), trials);
    }

    private static (string Name, OptimizationDirection Direction, DateTimeOffset CreatedAt, HyperparameterSpace Space, string SpaceJson, Dictionary<string, string> Attributes, int Trials) ReadHeader(string line, int lineNumber)
    {
        JsonObject header;
        try
        {
            header = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new FormatException($"Line {lineNumber}: not the header of a study export ({e.Message}).", e);
        }

        if (header["format"] is not JsonValue format || format.GetValueKind() != JsonValueKind.String || format.GetValue<string>() != FormatName)
        {
            throw new FormatException($"Line {lineNumber}: not the header of a study export (its \"format\" is not \"{FormatName}\"); export a study with 'mlnet-tune studies export'.");
        }

        try
        {
            var version = header["version"]?.GetValue<int>() ?? throw new FormatException("no \"version\"");
            if (version > FormatVersion)
            {
                throw new FormatException($"the file was written by a newer MLNetTuning (study format version {version}; this one reads up to {FormatVersion}); update MLNetTuning to import it");
            }

            if (version < 1)
            {
                throw new FormatException($"unknown study format version {version}");
            }

            var name = StudyNames.Validate(header["study"]?.GetValue<string>());
            var direction = TrialRecord.ParseDirection(header["direction"]?.GetValue<string>() ?? throw new FormatException("no \"direction\""));
            var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(header["createdAtMs"]?.GetValue<long>() ?? throw new FormatException("no \"createdAtMs\""));
            var spaceJson = header["spaceJson"]?.GetValue<string>() ?? throw new FormatException("no \"spaceJson\"");
            var space = HyperparameterSpace.FromJson(spaceJson);
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (header["attributes"] is JsonObject stored)
            {
                foreach (var (key, value) in stored)
                {
                    attributes[key] = value?.GetValue<string>() ?? throw new FormatException($"attribute '{key}' is null");
                }
            }

            var trials = header["trials"]?.GetValue<int>() ?? throw new FormatException("no \"trials\" count");
            return (name, direction, createdAt, space, spaceJson, attributes, trials);
        }
        catch (Exception e) when (TrialRecord.IsMalformedRow(e) || e is InvalidOperationException)
        {
            throw new FormatException($"Line {lineNumber}: the header of the study export cannot be read: {CleanMessage(e)}.", e);
        }
    }

    private static string CleanMessage(Exception e) =>
        e is ArgumentException { ParamName: { } p } a ? a.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal).TrimEnd('.') : e.Message.TrimEnd('.');
}
