using System.Reflection;
using Microsoft.ML.SearchSpace;

namespace MLNetTuning.SearchSpaces;

/// <summary>
/// Reads a search space from an options class that carries ML.NET's search-space attributes, and decodes
/// parameters back into such a class.
/// </summary>
internal static class OptionsSpaceReader
{
    private static readonly MethodInfo MemberwiseCloneMethod =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static HyperparameterSpace Read(Type optionsType, object? defaults, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        if (defaults is not null && !optionsType.IsInstanceOfType(defaults))
        {
            throw new ArgumentException($"The defaults object is a {defaults.GetType().Name}, not a {optionsType.Name}.", nameof(defaults));
        }

        var members = new List<KeyValuePair<string, HyperparameterDomain>>();
        foreach (var member in SearchableMembers(optionsType))
        {
            var path = prefix is null ? member.Name : $"{prefix}.{member.Name}";
            var domain = ReadMember(member, defaults is null ? null : GetValue(member, defaults), defaults is not null, path);
            if (domain is not null)
            {
                members.Add(new(member.Name, domain));
            }
        }

        return new HyperparameterSpace(members);
    }

    private static HyperparameterDomain? ReadMember(MemberInfo member, object? instanceValue, bool hasInstance, string path)
    {
        var type = MemberType(member);
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var attributes = member.GetCustomAttributes().Where(a => a is RangeAttribute or ChoiceAttribute or BooleanChoiceAttribute or NestOptionAttribute).ToList();
        if (attributes.Count == 0)
        {
            return null;
        }

        if (attributes.Count > 1)
        {
            throw new ArgumentException($"Member '{path}' carries more than one search-space attribute.");
        }

        switch (attributes[0])
        {
            case RangeAttribute range:
                var numericType = underlying == typeof(int) ? NumericType.Int32
                    : underlying == typeof(float) ? NumericType.Single
                    : underlying == typeof(double) ? NumericType.Double
                    : throw Unsearchable(path, type, "[Range]", "int, float or double");
                var init = hasInstance && instanceValue is not null ? NumericRange.AsDouble(instanceValue) : NumericRange.AsDouble(range.Init);
                return new NumericRange(numericType, NumericRange.AsDouble(range.Min)!.Value, NumericRange.AsDouble(range.Max)!.Value, range.LogBase, init, path);

            case ChoiceAttribute choice:
                if (!ChoiceDomain.IsSupportedType(underlying))
                {
                    throw Unsearchable(path, type, "[Choice]", "string, bool, an enum or a number");
                }

                var candidates = (choice.Candidates ?? []).Select(c => ToMemberType(c, underlying, path)).ToList();
                var choiceDefault = hasInstance && instanceValue is not null ? instanceValue : choice.DefaultValue is null ? null : ToMemberType(choice.DefaultValue, underlying, path);
                return new ChoiceDomain(candidates, choiceDefault, path);

            case BooleanChoiceAttribute boolean:
                if (underlying != typeof(bool))
                {
                    throw Unsearchable(path, type, "[BooleanChoice]", "bool");
                }

                return new ChoiceDomain([false, true], hasInstance && instanceValue is bool b ? b : boolean.DefaultValue, path);

            default: // NestOption
                if (!type.IsClass || type == typeof(string) || type.GetConstructor(Type.EmptyTypes) is null)
                {
                    throw Unsearchable(path, type, "[NestOption]", "a class with a public parameterless constructor");
                }

                return Read(type, instanceValue, path);
        }
    }

    public static object ToOptions(Type optionsType, TrialParameters parameters, object? defaults)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        object options;
        if (defaults is null)
        {
            options = Activator.CreateInstance(optionsType)
                ?? throw new ArgumentException($"{optionsType.Name} needs a public parameterless constructor.");
        }
        else
        {
            // A shallow copy keeps every non-searched member (column names and the like) of the defaults.
            options = MemberwiseCloneMethod.Invoke(defaults, null)!;
        }

        var members = SearchableMembers(optionsType).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            if (!members.TryGetValue(key, out var member))
            {
                throw new ArgumentException($"Parameter '{key}' has no public settable member in {optionsType.Name}.");
            }

            var memberType = MemberType(member);
            object? converted = value switch
            {
                TrialParameters nested => ToOptions(memberType, nested, GetValue(member, options)),
                BranchSelection => throw new ArgumentException($"Parameter '{key}' is a conditional choice, which an options class cannot hold; read it with TrialParameters.Get<BranchSelection>()."),
                _ => TrialParameters.ConvertValue(value, memberType, key),
            };
            SetValue(member, options, converted);
        }

        return options;
    }

    private static IEnumerable<MemberInfo> SearchableMembers(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly).Cast<MemberInfo>()
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0));

    private static Type MemberType(MemberInfo member) => member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;

    private static object? GetValue(MemberInfo member, object target) => member is FieldInfo f ? f.GetValue(target) : ((PropertyInfo)member).GetValue(target);

    private static void SetValue(MemberInfo member, object target, object? value)
    {
        if (member is FieldInfo f)
        {
            f.SetValue(target, value);
        }
        else
        {
            ((PropertyInfo)member).SetValue(target, value);
        }
    }

    private static object ToMemberType(object candidate, Type memberType, string path)
    {
        try
        {
            return TrialParameters.ConvertValue(candidate, memberType, path)!;
        }
        catch (InvalidCastException e)
        {
            throw new ArgumentException($"Member '{path}': the choice '{candidate}' is not a {memberType.Name}.", e);
        }
    }

    private static ArgumentException Unsearchable(string path, Type type, string attribute, string expected) =>
        new($"Member '{path}' of type {type.Name} cannot be searched with {attribute}; it needs {expected}.");
}
