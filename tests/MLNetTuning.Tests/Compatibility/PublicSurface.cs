using System.Reflection;

namespace MLNetTuning.Tests.Compatibility;

/// <summary>One stable text line a public type and a public or protected member, sorted, for API baselines.</summary>
internal static class PublicSurface
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static List<string> Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(TypeLine(type));
            var members = type.GetMembers(Declared).Where(IsVisible).Select(m => "  " + MemberLine(type, m)).Where(l => l.Length > 2);
            lines.AddRange(members.Distinct().Order(StringComparer.Ordinal));
        }

        return lines;
    }

    private static string TypeLine(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct"
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate" : type.IsAbstract && type.IsSealed ? "static class"
            : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum) && !typeof(Delegate).IsAssignableFrom(type))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !(m is MethodInfo { IsSpecialName: true } && !m.Name.StartsWith("op_", StringComparison.Ordinal)),
        FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
        PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        _ => false,
    };

    private static string MemberLine(Type owner, MemberInfo member)
    {
        var prefix = $"{Name(owner)}.";
        return member switch
        {
            ConstructorInfo c => $"ctor {prefix}ctor({Parameters(c)})",
            MethodInfo m => $"method {(m.IsStatic ? "static " : m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal ? "virtual " : string.Empty)}{prefix}{m.Name}{GenericArguments(m)}({Parameters(m)}) : {Name(m.ReturnType)}",
            PropertyInfo p => $"property {prefix}{p.Name}{(p.GetIndexParameters().Length > 0 ? "[" + string.Join(", ", p.GetIndexParameters().Select(x => Name(x.ParameterType))) + "]" : string.Empty)} : {Name(p.PropertyType)} {{{Accessors(p)}}}",
            FieldInfo f => owner.IsEnum ? $"value {prefix}{f.Name} = {f.GetRawConstantValue()}" : $"field {(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{prefix}{f.Name} : {Name(f.FieldType)}",
            EventInfo e => $"event {prefix}{e.Name} : {Name(e.EventHandlerType!)}",
            _ => string.Empty,
        };
    }

    private static string Accessors(PropertyInfo property)
    {
        static bool Visible(MethodInfo? m) => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);
        var init = property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") == true;
        return (Visible(property.GetMethod) ? " get;" : string.Empty) + (Visible(property.SetMethod) ? init ? " init;" : " set;" : string.Empty) + " ";
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p =>
        $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty)}{(p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : string.Empty)}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace is { } ns && !ns.StartsWith("System", StringComparison.Ordinal) ? ns + "." + type.Name : type.Name;
        if (!type.IsGenericType)
        {
            return name;
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var arguments = type.GetGenericArguments();
        var own = type.IsNested ? arguments.Skip(type.DeclaringType!.GetGenericArguments().Length) : arguments;
        return (tick >= 0 ? name[..tick] : name) + (own.Any() ? "<" + string.Join(", ", own.Select(Name)) + ">" : string.Empty);
    }
}
