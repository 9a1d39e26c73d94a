using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Visualization;

/// <summary>
/// Trial parameters flattened to paths: nested spaces as <c>outer.inner</c>, a conditional choice as its branch
/// name under its own path and the branch's members as <c>choice.branch.member</c>, present only in the trials
/// that chose that branch. Numbers stay numbers; everything else becomes text.
/// </summary>
public sealed class ParameterTable
{
    private readonly Dictionary<int, IReadOnlyDictionary<string, object>> _rows = [];

    internal ParameterTable(IEnumerable<TuningTrial> trials, HyperparameterSpace? space)
    {
        var names = new List<string>();
        foreach (var trial in trials)
        {
            var row = TrialTable.FlattenParameters(trial.Parameters);
            _rows[trial.Id] = row;
            names.AddRange(row.Keys.Where(k => !names.Contains(k)));
        }

        Names = names.Where(n => _rows.Values.Select(r => r.GetValueOrDefault(n)).Where(v => v is not null).Distinct().Skip(1).Any())
            .Order(StringComparer.Ordinal).ToList();
        LogScale = space is null ? new HashSet<string>() : LogPaths(space, "").ToHashSet();
    }

    /// <summary>The paths that take more than one value over the trials (constants are left out), in ordinal order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Paths of numeric ranges searched on a log scale.</summary>
    public IReadOnlySet<string> LogScale { get; }

    /// <summary>Whether every value of a path is a number.</summary>
    public bool IsNumeric(string name) => _rows.Values.Select(r => r.GetValueOrDefault(name)).Where(v => v is not null).All(v => v is double);

    /// <summary>The value of a path in a trial, or null where it was not active.</summary>
    public object? Value(int trialId, string name) => _rows.TryGetValue(trialId, out var row) ? row.GetValueOrDefault(name) : null;

    /// <summary>The categories of a text path, in ordinal order.</summary>
    public IReadOnlyList<string> Categories(string name) =>
        _rows.Values.Select(r => r.GetValueOrDefault(name)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> LogPaths(HyperparameterSpace space, string prefix)
    {
        foreach (var (key, domain) in space)
        {
            switch (domain)
            {
                case NumericRange { LogScale: true }:
                    yield return prefix + key;
                    break;
                case HyperparameterSpace nested:
                    foreach (var p in LogPaths(nested, $"{prefix}{key}."))
                    {
                        yield return p;
                    }

                    break;
                case ConditionalChoice conditional:
                    foreach (var (branch, sub) in conditional.Branches)
                    {
                        foreach (var p in LogPaths(sub, $"{prefix}{key}.{branch}."))
                        {
                            yield return p;
                        }
                    }

                    break;
            }
        }
    }
}
