using System.Globalization;
using System.Reflection;

namespace MLNetTuning.Cli.Lookup;

/// <summary>
/// <c>--tuner-option NAME=VALUE</c>: a property of the tuner's options class (for example
/// <c>CostAware=false</c> on the GP, <c>StartupTrials=20</c> on TPE), set by name. Only properties of a plain type
/// (a number, a flag, a name from a list) can be set; the seed, the time budget and the budget range have their own
/// options (<c>--seed</c>, <c>--time</c>, <c>--min-budget</c>/<c>--max-budget</c>), so they are refused here.
/// </summary>
internal static class TunerOptionValues
{
    private static readonly Dictionary<string, string> OwnOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Seed"] = "--seed",
        ["TimeBudget"] = "--time",
        ["MinBudget"] = "--min-budget",
        ["MaxBudget"] = "--max-budget",
    };

    /// <summary>NAME=VALUE items (repeatable, comma-separated) as a dictionary in the order given, or null when none.</summary>
    /// <exception cref="CliException">An item without a name or a value, or a name given twice.</exception>
    public static IReadOnlyDictionary<string, string>? Parse(IEnumerable<string> items)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var at = item.IndexOf('=', StringComparison.Ordinal);
            var name = at > 0 ? item[..at].Trim() : "";
            var value = at > 0 ? item[(at + 1)..].Trim() : "";
            if (name.Length == 0 || value.Length == 0)
            {
                throw new CliException($"--tuner-option '{item}' must be NAME=VALUE, for example CostAware=false.");
            }

            if (!values.TryAdd(name, value))
            {
                throw new CliException($"--tuner-option sets '{name}' twice.");
            }
        }

        return values.Count == 0 ? null : values;
    }

    /// <summary>The properties <c>--tuner-option</c> can set on an options class, by name.</summary>
    public static IReadOnlyList<PropertyInfo> Settable(Type optionsType) => optionsType
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !OwnOptions.ContainsKey(p.Name) && IsPlain(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>Sets <paramref name="values"/> on <paramref name="options"/> (an instance of the tuner's options
    /// class); the options' own setters check the values.</summary>
    /// <exception cref="CliException">An unknown name (the message lists the settable ones), a name with its own
    /// option, a value of the wrong kind, or a value the options reject.</exception>
    public static void Apply(object options, string tunerName, IReadOnlyDictionary<string, string> values)
    {
        var settable = Settable(options.GetType());
        foreach (var (name, text) in values)
        {
            if (OwnOptions.TryGetValue(name, out var own))
            {
                throw new CliException($"--tuner-option {name}: set it with {own}.");
            }

            var property = settable.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new CliException($"--tuner-option: '{tunerName}' has no option '{name}'. It has: {string.Join(", ", settable.Select(Describe))}.");
            var value = Convert(text, property.PropertyType)
                ?? throw new CliException($"--tuner-option {property.Name}={text}: {property.Name} takes {Kind(property)}.");
            try
            {
                property.SetValue(options, value is Null ? null : value);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException argument)
            {
                // The first line only: the rest repeats the value ("Actual value was ...").
                throw new CliException($"--tuner-option {property.Name}={text}: {CliException.MessageOf(argument).Split('\n')[0].Trim()}");
            }
        }
    }

    private static bool IsPlain(Type type) => type == typeof(bool) || type == typeof(int) || type == typeof(double) || type.IsEnum;

    private static string Describe(PropertyInfo property) => $"{property.Name} ({Kind(property)})";

    /// <summary>The kind of value a property takes, as a user types it.</summary>
    private static string Kind(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType);
        var plain = type ?? property.PropertyType;
        var kind = plain == typeof(bool) ? "true or false"
            : plain == typeof(int) ? "a whole number"
            : plain == typeof(double) ? "a number"
            : string.Join(" or ", Enum.GetNames(plain));
        return type is null ? kind : kind + ", or null for the default";
    }

    /// <summary>The value of <paramref name="text"/> as <paramref name="type"/>; <see cref="Null"/> for "null" on a
    /// nullable property; null when the text is not of that kind.</summary>
    private static object? Convert(string text, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && string.Equals(text, "null", StringComparison.OrdinalIgnoreCase))
        {
            return Null.Value;
        }

        var plain = underlying ?? type;
        if (plain == typeof(bool))
        {
            return bool.TryParse(text, out var flag) ? flag : null;
        }

        if (plain == typeof(int))
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole : null;
        }

        if (plain == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;
        }

        return Enum.TryParse(plain, text, ignoreCase: true, out var named) && Enum.IsDefined(plain, named!) ? named : null;
    }

    /// <summary>A "null" given for a nullable property (kept apart from a value that did not parse).</summary>
    private sealed class Null
    {
        public static readonly Null Value = new();
    }
}
