using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using Spectre.Console;

namespace MLNetTuning.Cli.Running;

/// <summary>What <c>tune --enqueue/--enqueue-file/--warm-start</c> asked for: points to run first and an earlier study
/// to warm start from (docs/retuning.md). Checked against the pipeline's space and the source store before the
/// study's own store is opened, so that a bad point or a missing source study stores nothing.</summary>
internal sealed record TransferRequest
{
    /// <summary>Each enqueued point as JSON, with where it came from ("--enqueue #2", "points.json line 3").</summary>
    public required IReadOnlyList<(string Origin, string Json)> Points { get; init; }

    /// <summary>A portfolio's configurations (tune --portfolio); those of trainers not tuned here are skipped.</summary>
    public IReadOnlyList<Portfolios.PortfolioEntry> Portfolio { get; init; } = [];

    /// <summary>The study to warm start from, or null.</summary>
    public string? WarmStartStudy { get; init; }

    /// <summary>The store holding <see cref="WarmStartStudy"/> (a --storage value); null for the study's own store.</summary>
    public string? WarmStartStorage { get; init; }

    /// <summary>The study's own --storage, --connection and default SQLite file, where the source is looked up by default.</summary>
    public required (string? Storage, string? Connection, string DefaultSqlite) OwnStore { get; init; }

    public bool IsEmpty => Points.Count == 0 && Portfolio.Count == 0 && WarmStartStudy is null;

    /// <summary>Parses and checks every point against <paramref name="space"/>, and finds the source study.</summary>
    /// <exception cref="CliException">A point is not JSON, names an unknown parameter or a value outside the space,
    /// or the source study is not in its store (exit 2); the source store cannot be used (exit 3).</exception>
    public Prepared Prepare(HyperparameterSpace space, IReadOnlyList<string> trainers)
    {
        var points = Points.Select(p => (p.Origin, Values: Check(space, p.Origin, p.Json))).ToList();
        foreach (var (entry, i) in Portfolio.Select((e, i) => (e, i)))
        {
            // A choice of trainers has a branch per trainer; a single trainer's parameters sit under "trainer" itself.
            var point = space.TryGetValue("trainer", out var domain) switch
            {
                true when domain is ConditionalChoice choice && choice.Branches.ContainsKey(entry.Trainer) => new Dictionary<string, object?> { ["trainer"] = new BranchSelection(entry.Trainer, entry.Parameters) },
                true when domain is HyperparameterSpace && trainers.Count == 1 && trainers[0] == entry.Trainer => new Dictionary<string, object?> { ["trainer"] = entry.Parameters },
                _ => null,
            };
            if (point is not null)
            {
                try
                {
                    PartialParameters.Validate(space, point);
                    points.Add(($"--portfolio entry {i + 1}", point));
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"--portfolio entry {i + 1} ({entry.Trainer}): {CliException.MessageOf(e)}");
                }
            }
        }

        if (WarmStartStudy is null)
        {
            return new Prepared(points, null, null);
        }

        var (storage, connection, defaultSqlite) = OwnStore;
        var (sourceStorage, sourceConnection, option) = WarmStartStorage is null ? (storage, connection, "--storage") : (WarmStartStorage, null, "--warm-start-storage");
        var source = StoreLocation.Open(sourceStorage, sourceConnection, defaultSqlite, readOnly: true, option: option);
        try
        {
            var study = source.FindStudy(WarmStartStudy);
            if (study is null)
            {
                var known = source.ListStudies().Select(s => s.Name).ToList();
                throw new CliException($"--warm-start: the study '{WarmStartStudy}' is not in {StoreLocation.Describe(source)}. Studies there: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
            }

            if (!source.Load(study.Name).Any(t => t.State == TrialState.Completed))
            {
                throw new CliException($"--warm-start: the study '{WarmStartStudy}' has no completed trial to start from.");
            }

            return new Prepared(points, source, study);
        }
        catch
        {
            (source as IDisposable)?.Dispose();
            throw;
        }
    }

    private static Dictionary<string, object?> Check(HyperparameterSpace space, string origin, string json)
    {
        Dictionary<string, object?> values;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliException($"{origin}: an enqueued point is a JSON object of parameter values, such as {{\"trainer\": \"FastTree\"}}; got {json}.");
            }

            values = Object(document.RootElement, space);
        }
        catch (JsonException e)
        {
            throw new CliException($"{origin}: not valid JSON ({e.Message}): {json}");
        }

        try
        {
            PartialParameters.Validate(space, values);
            return values;
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{origin}: {CliException.MessageOf(e)}");
        }
    }

    /// <summary>A JSON object as values the core checks: numbers as doubles; under a conditional parameter, a branch
    /// name alone or {"Branch": {...its parameters}}; under a nested space, an object of its parameters.</summary>
    private static Dictionary<string, object?> Object(JsonElement element, HyperparameterSpace? space) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => Value(p.Value, space is not null && space.TryGetValue(p.Name, out var d) ? d : null), StringComparer.Ordinal);

    private static object? Value(JsonElement element, HyperparameterDomain? domain) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object when domain is ConditionalChoice choice && element.EnumerateObject().Count() == 1 =>
            Branch(element.EnumerateObject().Single(), choice),
        JsonValueKind.Object => Object(element, domain as HyperparameterSpace),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };

    private static object Branch(JsonProperty property, ConditionalChoice choice)
    {
        var branchSpace = choice.Branches.GetValueOrDefault(property.Name);
        if (property.Value.ValueKind != JsonValueKind.Object)
        {
            return property.Name;
        }

        return new BranchSelection(property.Name, new TrialParameters(Object(property.Value, branchSpace)));
    }

    /// <summary>The checked points and the open source store, applied to the study once it exists.</summary>
    internal sealed class Prepared(IReadOnlyList<(string Origin, Dictionary<string, object?> Values)> points, ITrialStore? sourceStore, StoredStudy? source) : IDisposable
    {
        /// <summary>Enqueues the points (first, in the order given), then warm starts; prints what the warm start reports.</summary>
        public void Apply(TuningStudy study, IAnsiConsole console)
        {
            foreach (var (_, values) in points)
            {
                study.Enqueue(values);
            }

            if (points.Count > 0)
            {
                console.MarkupLineInterpolated($"Enqueued {points.Count} point(s): they run first, in the order given.");
            }

            if (source is not null)
            {
                try
                {
                    study.WarmStartFrom(source, new WarmStartOptions { SourceStore = sourceStore, Log = m => console.MarkupLineInterpolated($"{m}") });
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"--warm-start: {CliException.MessageOf(e)}");
                }
            }
        }

        public void Dispose() => (sourceStore as IDisposable)?.Dispose();
    }
}
