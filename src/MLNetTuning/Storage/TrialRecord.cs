using System.Globalization;
using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// A trial as one flat row of plain values, for stores that write to a database: parameters, intermediate
/// values and attributes as JSON, times as Unix milliseconds (UTC).
/// </summary>
public sealed record TrialRecord
{
    /// <summary>Trial id.</summary>
    public required int TrialId { get; init; }

    /// <summary>State in lower case: running, completed, pruned, failed.</summary>
    public required string State { get; init; }

    /// <summary>Parameters, as <see cref="TrialParameters.ToJson"/> wrote them.</summary>
    public required string ParametersJson { get; init; }

    /// <summary>Budget, or null.</summary>
    public double? Budget { get; init; }

    /// <summary>Parent trial id, or null.</summary>
    public int? ParentTrialId { get; init; }

    /// <summary>The user's metric, or null.</summary>
    public double? Value { get; init; }

    /// <summary>The minimised loss, or null.</summary>
    public double? Loss { get; init; }

    /// <summary>Intermediate values as a JSON object from step to value.</summary>
    public string IntermediateJson { get; init; } = "{}";

    /// <summary>Attributes as a JSON object of strings.</summary>
    public string AttributesJson { get; init; } = "{}";

    /// <summary>Error text of a failed trial.</summary>
    public string? Error { get; init; }

    /// <summary>The worker that ran it.</summary>
    public string? WorkerId { get; init; }

    /// <summary>Start, Unix milliseconds.</summary>
    public required long StartedAtMs { get; init; }

    /// <summary>End, Unix milliseconds, or null while running.</summary>
    public long? CompletedAtMs { get; init; }

    /// <summary>Last heartbeat, Unix milliseconds, or null.</summary>
    public long? HeartbeatAtMs { get; init; }

    /// <summary>Flattens a trial.</summary>
    public static TrialRecord From(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return new TrialRecord
        {
            TrialId = trial.Id,
            State = StateName(trial.State),
            ParametersJson = trial.Parameters.ToJson(),
            Budget = trial.Budget,
            ParentTrialId = trial.ParentTrialId,
            Value = trial.Value,
            Loss = trial.Loss,
            IntermediateJson = JsonSerializer.Serialize(trial.IntermediateValues.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value)),
            AttributesJson = JsonSerializer.Serialize(trial.Attributes),
            Error = trial.Error,
            WorkerId = trial.WorkerId,
            StartedAtMs = trial.StartedAt.ToUnixTimeMilliseconds(),
            CompletedAtMs = trial.CompletedAt?.ToUnixTimeMilliseconds(),
            HeartbeatAtMs = trial.HeartbeatAt?.ToUnixTimeMilliseconds(),
        };
    }

    /// <summary>Rebuilds the trial, reading its parameters against <paramref name="space"/> so that every value has its exact type.</summary>
    /// <exception cref="FormatException">A stored value does not fit the space or a column is malformed.</exception>
    public TuningTrial ToTrial(HyperparameterSpace space)
    {
        var trial = new TuningTrial(TrialId, TrialParameters.FromJson(ParametersJson, space), Budget, ParentTrialId, DateTimeOffset.FromUnixTimeMilliseconds(StartedAtMs));
        var intermediate = JsonSerializer.Deserialize<Dictionary<string, double>>(IntermediateJson) ?? [];
        var attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(AttributesJson) ?? [];
        trial.Restore(
            ParseState(State),
            Value,
            Loss,
            Error,
            CompletedAtMs is long c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null,
            intermediate.Select(kv => KeyValuePair.Create(int.Parse(kv.Key, CultureInfo.InvariantCulture), kv.Value)),
            attributes,
            WorkerId,
            HeartbeatAtMs is long h ? DateTimeOffset.FromUnixTimeMilliseconds(h) : null);
        return trial;
    }

    /// <summary>True for what reading a malformed stored row raises (bad JSON, an unknown state or direction, a value
    /// that does not fit the space), so that a store reports it as a <see cref="TrialStoreException"/> and not as a crash.</summary>
    public static bool IsMalformedRow(Exception error) =>
        error is FormatException or JsonException or OverflowException or InvalidCastException or KeyNotFoundException or ArgumentException;

    /// <summary>The lower-case name of a state, as stored.</summary>
    public static string StateName(TrialState state) => state switch
    {
        TrialState.Running => "running",
        TrialState.Completed => "completed",
        TrialState.Pruned => "pruned",
        TrialState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown trial state."),
    };

    /// <summary>Reads a stored state name.</summary>
    /// <exception cref="FormatException">The name is not a state.</exception>
    public static TrialState ParseState(string name) => name switch
    {
        "running" => TrialState.Running,
        "completed" => TrialState.Completed,
        "pruned" => TrialState.Pruned,
        "failed" => TrialState.Failed,
        _ => throw new FormatException($"Unknown stored trial state '{name}'."),
    };

    /// <summary>The lower-case name of a direction, as stored.</summary>
    public static string DirectionName(OptimizationDirection direction) => direction == OptimizationDirection.Maximize ? "maximize" : "minimize";

    /// <summary>Reads a stored direction name.</summary>
    /// <exception cref="FormatException">The name is not a direction.</exception>
    public static OptimizationDirection ParseDirection(string name) => name switch
    {
        "maximize" => OptimizationDirection.Maximize,
        "minimize" => OptimizationDirection.Minimize,
        _ => throw new FormatException($"Unknown stored direction '{name}'."),
    };
}
