using System.Globalization;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Transfer;

/// <summary>
/// Parameters that may name only some members of a space: checked and typed for enqueueing, completed from a
/// tuner's proposal, or mapped from another space (a source study's) with clipping and dropping.
/// </summary>
internal static class PartialParameters
{
    /// <summary>Checks every given value against the space and gives it the domain's exact type.</summary>
    /// <exception cref="ArgumentException">A name is not in the space or a value is outside its domain; the message names it.</exception>
    public static TrialParameters Validate(HyperparameterSpace space, IReadOnlyDictionary<string, object?> values, string path = "")
    {
        ArgumentNullException.ThrowIfNull(values);
        var typed = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in values)
        {
            var name = Join(path, key);
            if (!space.TryGetValue(key, out var domain))
            {
                throw new ArgumentException($"Enqueued parameter '{name}' is not in the search space. Known{(path.Length == 0 ? "" : $" in '{path}'")}: {string.Join(", ", space.Keys)}.", nameof(values));
            }

            typed.Add(new(key, ValidateValue(domain, value, name)));
        }

        return new TrialParameters(typed);
    }

    /// <summary>Fills what <paramref name="partial"/> lacks from <paramref name="filler"/> (a full point of the space,
    /// usually the tuner's proposal), or from the space's defaults where the filler has nothing that fits.</summary>
    public static TrialParameters Complete(HyperparameterSpace space, TrialParameters partial, TrialParameters? filler)
    {
        var values = new List<KeyValuePair<string, object?>>();
        foreach (var (key, domain) in space)
        {
            object? fill = filler is not null && filler.TryGetValue(key, out var f) ? f : domain.DefaultValue;
            if (!partial.TryGetValue(key, out var given))
            {
                values.Add(new(key, fill));
                continue;
            }

            values.Add(new(key, (domain, given) switch
            {
                (HyperparameterSpace nested, TrialParameters p) => Complete(nested, p, fill as TrialParameters),
                (ConditionalChoice choice, BranchSelection s) => new BranchSelection(
                    s.Branch,
                    Complete(choice.Branches[s.Branch], s.Parameters, fill is BranchSelection other && other.Branch == s.Branch ? other.Parameters : null)),
                _ => given,
            }));
        }

        return new TrialParameters(values);
    }

    /// <summary>Whether the parameters name every member of the space (and of every nested space and chosen branch).</summary>
    public static bool IsComplete(HyperparameterSpace space, TrialParameters parameters) => space.All(kv =>
        parameters.TryGetValue(kv.Key, out var value) && (kv.Value, value) switch
        {
            (HyperparameterSpace nested, TrialParameters p) => IsComplete(nested, p),
            (ConditionalChoice choice, BranchSelection s) => IsComplete(choice.Branches[s.Branch], s.Parameters),
            _ => true,
        });

    /// <summary>Per coordinate of the space's unit-cube encoding, whether <paramref name="partial"/> gives its value.
    /// The coordinates of branches the point did not take count as given: their encoding is fixed (the branch's
    /// defaults), as for any full point.</summary>
    public static bool[] GivenCoordinates(HyperparameterSpace space, TrialParameters partial)
    {
        var given = new bool[space.Dimension];
        MarkGiven(space, partial, given, 0);
        return given;
    }

    /// <summary>The dotted names of the searched parameters (those with a coordinate) that <paramref name="partial"/> lacks;
    /// inside a chosen branch they read "choice.branch.name".</summary>
    public static IEnumerable<string> MissingNames(HyperparameterSpace space, TrialParameters partial, string path = "")
    {
        foreach (var (key, domain) in space)
        {
            if (domain.Dimension == 0)
            {
                continue;
            }

            var name = Join(path, key);
            if (!partial.TryGetValue(key, out var value))
            {
                yield return name;
                continue;
            }

            var inner = (domain, value) switch
            {
                (HyperparameterSpace nested, TrialParameters p) => MissingNames(nested, p, name),
                (ConditionalChoice choice, BranchSelection s) when choice.Branches.TryGetValue(s.Branch, out var branch) => MissingNames(branch, s.Parameters, Join(name, s.Branch)),
                _ => [],
            };
            foreach (var missing in inner)
            {
                yield return missing;
            }
        }
    }

    /// <summary>Maps a point of another space into this one: values outside a numeric range are clipped, values that
    /// do not fit at all (an unknown choice or branch, a name the space lacks) are dropped and left to the tuner.</summary>
    /// <param name="space">The new space.</param>
    /// <param name="source">A point of the source space.</param>
    /// <param name="notes">Counts of what was changed, by message; a caller reports each message once.</param>
    /// <param name="path">The dotted path of <paramref name="space"/> within the root space.</param>
    public static TrialParameters MapFrom(HyperparameterSpace space, TrialParameters source, IDictionary<string, int> notes, string path = "")
    {
        var mapped = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in source)
        {
            var name = Join(path, key);
            if (!space.TryGetValue(key, out var domain))
            {
                Note(notes, $"'{name}' is not in the new space: dropped");
                continue;
            }

            var fitted = MapValue(domain, value, name, notes);
            if (fitted.Fits)
            {
                mapped.Add(new(key, fitted.Value));
            }
        }

        foreach (var key in space.Keys.Where(k => !source.ContainsKey(k)))
        {
            Note(notes, $"'{Join(path, key)}' is not in the source space: drawn for each re-evaluated trial");
        }

        return new TrialParameters(mapped);
    }

    private static (bool Fits, object? Value) MapValue(HyperparameterDomain domain, object? value, string name, IDictionary<string, int> notes)
    {
        switch (domain)
        {
            case HyperparameterSpace nested when value is TrialParameters p:
                return (true, MapFrom(nested, p, notes, name));
            case ConditionalChoice choice when value is BranchSelection s && choice.Branches.TryGetValue(s.Branch, out var branch):
                return (true, new BranchSelection(s.Branch, MapFrom(branch, s.Parameters, notes, Join(name, s.Branch))));
            case NumericRange range when NumericRange.AsDouble(value) is double x && !double.IsNaN(x):
                var clipped = Math.Clamp(x, range.Min, range.Max);
                if (clipped != x)
                {
                    Note(notes, $"'{name}': source values outside the new range [{Format(range.Min)}, {Format(range.Max)}] clipped to it");
                }

                return (true, range.Convert(range.Type == NumericType.Int32 ? Math.Round(clipped) : clipped));
            case ChoiceDomain c when c.Find(value) is { } found:
                return (true, found);
            case ConstantDomain k when k.Contains(value):
                return (true, k.Value);
            default:
                Note(notes, $"'{name}': source value(s) such as '{TrialParameters.FormatValue(value)}' are not in the new {domain.Kind}: dropped and drawn");
                return (false, null);
        }
    }

    private static object? ValidateValue(HyperparameterDomain domain, object? value, string name)
    {
        switch (domain)
        {
            case HyperparameterSpace nested when value is IReadOnlyDictionary<string, object?> p:
                return Validate(nested, p, name);
            case ConditionalChoice choice when value is string branch && choice.Branches.ContainsKey(branch):
                return new BranchSelection(branch, TrialParameters.Empty);
            case ConditionalChoice choice when value is BranchSelection s && choice.Branches.TryGetValue(s.Branch, out var branchSpace):
                return new BranchSelection(s.Branch, Validate(branchSpace, s.Parameters, Join(name, s.Branch)));
            case ConditionalChoice choice:
                throw new ArgumentException($"Enqueued parameter '{name}' = '{TrialParameters.FormatValue(value)}' is not one of its branches [{string.Join(", ", choice.Branches.Keys)}].");
            case NumericRange range when NumericRange.AsDouble(value) is double x && range.Contains(value):
                return range.Convert(x);
            case NumericRange range:
                throw new ArgumentException($"Enqueued parameter '{name}' = '{TrialParameters.FormatValue(value)}' {WhyNotIn(range, value)} its {range.Kind} range [{Format(range.Min)}, {Format(range.Max)}].");
            case ChoiceDomain c when c.Find(value) is { } found:
                return found;
            case ConstantDomain k when k.Contains(value):
                return k.Value;
            default:
                throw new ArgumentException($"Enqueued parameter '{name}' = '{TrialParameters.FormatValue(value)}' is not in its domain ({domain.Kind}{(domain is ChoiceDomain cd ? $" [{string.Join(", ", cd.Values)}]" : "")}).");
        }
    }

    /// <summary>Why a value is not in a range, as the middle of "'x' = 'v' ... its int range [a, b]".</summary>
    private static string WhyNotIn(NumericRange range, object? value) => NumericRange.AsDouble(value) switch
    {
        null or double.NaN => "is not a number for",
        double x when range.Type == NumericType.Int32 && x >= range.Min && x <= range.Max && x != Math.Floor(x) => "is not a whole number for",
        _ => "is outside",
    };

    private static void MarkGiven(HyperparameterSpace space, TrialParameters? partial, bool[] given, int offset)
    {
        foreach (var (key, domain) in space)
        {
            var at = offset + space.OffsetOf(key);
            object? value = null;
            var has = partial is not null && partial.TryGetValue(key, out value);
            switch (domain)
            {
                case HyperparameterSpace nested:
                    MarkGiven(nested, has ? value as TrialParameters : null, given, at);
                    break;
                case ConditionalChoice choice when has && value is BranchSelection s:
                    given.AsSpan(at, choice.Selector.Dimension).Fill(true);
                    foreach (var (name, branch) in choice.Branches)
                    {
                        var branchAt = at + choice.OffsetOf(name);
                        if (name == s.Branch)
                        {
                            MarkGiven(branch, s.Parameters, given, branchAt);
                        }
                        else
                        {
                            given.AsSpan(branchAt, branch.Dimension).Fill(true);
                        }
                    }

                    break;
                default:
                    given.AsSpan(at, domain.Dimension).Fill(has);
                    break;
            }
        }
    }

    private static void Note(IDictionary<string, int> notes, string message) =>
        notes[message] = notes.TryGetValue(message, out var n) ? n + 1 : 1;

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Format(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}
