using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Cli.Generation;

/// <summary>
/// Writes a built ML.NET trainer as literal code: the catalog call that makes it, with its options object. The
/// options are read from the trainer the tool built for the trial, so the code is the tuned trainer, not a copy
/// of the presets' mapping that could drift from it.
/// </summary>
internal sealed class TrainerCode
{
    private static readonly string[] TrainerAssemblies = ["Microsoft.ML.StandardTrainers", "Microsoft.ML.FastTree", "Microsoft.ML.LightGbm"];

    private readonly SortedSet<string> _namespaces = new(StringComparer.Ordinal);

    private TrainerCode()
    {
    }

    /// <summary>The expression (on an <c>MLContext</c> named <c>mlContext</c>).</summary>
    public string Expression { get; private set; } = "";

    /// <summary>Namespaces the expression needs.</summary>
    public IReadOnlyCollection<string> Namespaces => _namespaces;

    /// <summary>The package of our network trainers.</summary>
    public const string NetworkPackage = "MLNetTuning.TorchSharp";

    /// <summary>The TorchSharp backend a network trains on.</summary>
    public const string TorchBackendPackage = "TorchSharp-cpu";

    /// <summary>Packages the trainer lives in (Microsoft.ML, Microsoft.ML.FastTree, ..., MLNetTuning.TorchSharp for a network).</summary>
    public SortedSet<string> Packages { get; } = new(StringComparer.Ordinal) { "Microsoft.ML" };

    /// <summary>Writes <paramref name="trainer"/> as code.</summary>
    /// <exception cref="CliException">The trainer is not one of ML.NET's catalog trainers, or an option cannot be written as a literal.</exception>
    public static TrainerCode Of(IEstimator<ITransformer> trainer)
    {
        var code = new TrainerCode();
        code.Expression = code.Write(trainer, "    ");
        return code;
    }

    private string Write(object trainer, string indent)
    {
        var type = trainer.GetType();
        Packages.Add(type.Assembly.GetName().Name == "Microsoft.ML.StandardTrainers" ? "Microsoft.ML" : type.Assembly.GetName().Name!);
        if (type.Name == "OneVersusAllTrainer")
        {
            // One-versus-all wraps a binary trainer; the presets give it only the label column.
            var inner = Field(trainer, f => typeof(IEstimator<ITransformer>).IsAssignableFrom(f.FieldType) || f.FieldType.Name.StartsWith("ITrainerEstimator", StringComparison.Ordinal))
                ?? throw Unwritable(type, "its binary trainer is not readable");
            var labelField = Field(trainer, f => f.Name.Contains("Label", StringComparison.OrdinalIgnoreCase) && (f.FieldType == typeof(string) || f.FieldType == typeof(Microsoft.ML.SchemaShape.Column)));
            var label = (labelField as string ?? (labelField is Microsoft.ML.SchemaShape.Column column ? column.Name : null))
                ?? throw Unwritable(type, "its label column is not readable");
            return $"mlContext.MulticlassClassification.Trainers.OneVersusAll({Write(inner, indent)}, labelColumnName: {Data.PreparationStep.Literal(label)})";
        }

        if (trainer is NeuralNetworkTrainerBase network)
        {
            return Network(network, indent);
        }

        var options = Field(trainer, f => typeof(TrainerInputBase).IsAssignableFrom(f.FieldType))
            ?? throw Unwritable(type, "it keeps no options object");
        var method = CatalogMethod(type, options.GetType()) ?? throw Unwritable(type, $"no ML.NET catalog method takes {options.GetType().Name}");
        var catalog = method.GetParameters()[0].ParameterType.Name switch
        {
            "BinaryClassificationTrainers" => "BinaryClassification",
            "MulticlassClassificationTrainers" => "MulticlassClassification",
            "RegressionTrainers" => "Regression",
            var other => throw Unwritable(type, $"its catalog {other} is not one the tool writes"),
        };
        return $"mlContext.{catalog}.Trainers.{method.Name}({New(options, indent, type)})";
    }

    /// <summary>
    /// One of our networks: the catalog extension of MLNetTuning.TorchSharp, with its options and the seed the trainer
    /// drew from the trial's context written out, so the code trains the same network whatever context it is given.
    /// The app needs the package and a TorchSharp backend (the CPU one, as the tool trains on the CPU).
    /// </summary>
    private string Network(NeuralNetworkTrainerBase trainer, string indent)
    {
        var type = trainer.GetType();
        var options = (NeuralNetworkOptions?)Field(trainer, f => typeof(NeuralNetworkOptions).IsAssignableFrom(f.FieldType))
            ?? throw Unwritable(type, "it keeps no options object");
        if (options.InitialCheckpoint is not null)
        {
            throw Unwritable(type, "it continues from a checkpoint of another trial, which code cannot state");
        }

        var seed = options.Seed ?? Field(trainer, f => f.FieldType == typeof(int) && f.Name.Contains("seed", StringComparison.OrdinalIgnoreCase)) as int?
            ?? throw Unwritable(type, "its seed is not readable");
        var catalog = trainer switch
        {
            NeuralNetworkBinaryTrainer => "BinaryClassification",
            NeuralNetworkMulticlassTrainer => "MulticlassClassification",
            NeuralNetworkRegressionTrainer => "Regression",
            _ => throw Unwritable(type, "it is not a network of a task the tool writes"),
        };
        Packages.Add(NetworkPackage);
        Packages.Add(TorchBackendPackage);
        _namespaces.Add(typeof(NeuralNetworkCatalogExtensions).Namespace!);
        var set = options.Seed is null ? new Dictionary<string, object?> { [nameof(NeuralNetworkOptions.Seed)] = seed } : null;
        return $"mlContext.{catalog}.Trainers.NeuralNetwork({New(options, indent, type, set)})";
    }

    /// <summary><c>new T { A = 1, ... }</c> with the members that differ from a new T, and those of <paramref name="set"/>.</summary>
    private string New(object value, string indent, Type trainer, IReadOnlyDictionary<string, object?>? set = null)
    {
        var type = value.GetType();
        var defaults = Activator.CreateInstance(type) ?? throw Unwritable(trainer, $"{type.Name} has no default constructor");
        var lines = new StringBuilder();
        foreach (var member in Members(type))
        {
            var current = set is not null && set.TryGetValue(member.Name, out var given) ? given : Get(member, value);
            if (Same(current, Get(member, defaults)))
            {
                continue;
            }

            lines.Append(indent).Append("    ").Append(member.Name).Append(" = ").Append(Value(current, indent + "    ", trainer, member.Name)).AppendLine(",");
        }

        return lines.Length == 0 ? $"new {TypeName(type)}()" : $"new {TypeName(type)}\n{indent}{{\n{lines}{indent}}}";
    }

    private string Value(object? value, string indent, Type trainer, string member) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => Data.PreparationStep.Literal(s),
        int or long or short or byte or uint or ulong => Convert.ToString(value, CultureInfo.InvariantCulture)! + (value is long ? "L" : value is uint ? "U" : value is ulong ? "UL" : ""),
        float f => float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) + "f" : (float.IsNaN(f) ? "float.NaN" : f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity"),
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) + "d" : (double.IsNaN(d) ? "double.NaN" : d > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity"),
        Enum e => $"{TypeName(e.GetType())}.{e}",
        IEnumerable items when ElementType(value.GetType()) is { IsPrimitive: true } element => $"new {Keyword(element)}[] {{ {string.Join(", ", items.Cast<object>().Select(v => Value(v, indent, trainer, member)))} }}",
        _ when Members(value.GetType()).Any() && value.GetType().GetConstructor(Type.EmptyTypes) is not null => New(value, indent, trainer),
        _ => throw Unwritable(trainer, $"its option {member} ({value.GetType().Name}) has no literal form"),
    };

    /// <summary>T of an array or other IEnumerable&lt;T&gt; (a list option such as a network's layer sizes), else null.</summary>
    private static Type? ElementType(Type type) => type.IsArray
        ? type.GetElementType()
        : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Keyword(Type primitive) => Type.GetTypeCode(primitive) switch
    {
        TypeCode.Int32 => "int",
        TypeCode.Int64 => "long",
        TypeCode.Single => "float",
        TypeCode.Double => "double",
        TypeCode.Boolean => "bool",
        _ => primitive.FullName!,
    };

    private string TypeName(Type type)
    {
        if (type.IsNested)
        {
            return $"{TypeName(type.DeclaringType!)}.{type.Name}";
        }

        _namespaces.Add(type.Namespace!);
        return type.Name;
    }

    private static bool Same(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.GetType() != b.GetType())
        {
            return false;
        }

        if (a is string || a.GetType().IsPrimitive || a is Enum)
        {
            return a.Equals(b);
        }

        if (a is IEnumerable ea && b is IEnumerable eb)
        {
            return ea.Cast<object?>().SequenceEqual(eb.Cast<object?>(), EqualityComparer<object?>.Create(Same));
        }

        // Objects (a booster's options, a calibrator factory) are the same when every public member is.
        return Members(a.GetType()).All(m => Same(Get(m, a), Get(m, b)));
    }

    private static IEnumerable<MemberInfo> Members(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly).Cast<MemberInfo>()
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0))
            .OrderBy(m => m.MetadataToken);

    private static object? Get(MemberInfo member, object target) => member is FieldInfo f ? f.GetValue(target) : ((PropertyInfo)member).GetValue(target);

    private static object? Field(object target, Func<FieldInfo, bool> match)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            {
                if (match(field) && field.GetValue(target) is { } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static MethodInfo? CatalogMethod(Type trainer, Type options) => AppDomain.CurrentDomain.GetAssemblies()
        .Where(a => TrainerAssemblies.Contains(a.GetName().Name))
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => t.IsSealed && t.IsAbstract)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .FirstOrDefault(m => m.ReturnType == trainer && m.GetParameters() is [_, var second] && second.ParameterType == options);

    private static CliException Unwritable(Type trainer, string why) =>
        new($"The best trial's trainer {trainer.Name} cannot be written as literal ML.NET code: {why}.", ExitCodes.BadInput);
}
