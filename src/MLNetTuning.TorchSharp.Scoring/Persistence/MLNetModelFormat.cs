using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The few ML.NET 6.0.0 (and 5.0.1) internals a third-party transformer needs to live inside an ML.NET model file, reached
/// by reflection because ML.NET keeps them internal:
/// <list type="bullet">
/// <item>writing: <c>ModelSaveContext.SetVersionInfo</c> and its <c>Writer</c> (only <see cref="ICanSaveModel"/> is public);</item>
/// <item>reading: <c>ModelLoadContext.Reader</c>;</item>
/// <item>registering a loader: ML.NET finds loaders through <c>[assembly: LoadableClass]</c>, an internal attribute,
/// so the loader is added to a <see cref="ComponentCatalog"/> the way <see cref="ComponentCatalog.RegisterAssembly"/> would;</item>
/// <item>the estimator contract: <c>SchemaShape.Column</c>'s constructor and the catalogs' environment.</item>
/// </list>
/// The public alternative, <c>CustomMapping</c>, stores no state and cannot declare a vector of a size known only
/// after training, so it cannot carry a network. If a later ML.NET moves these members, the failure is an
/// <see cref="InvalidOperationException"/> that says which one.
/// </summary>
internal static class MLNetModelFormat
{
    private static readonly Assembly CoreAssembly = typeof(ComponentCatalog).Assembly;
    private static readonly ConditionalWeakTable<ComponentCatalog, HashSet<string>> Registered = [];

    /// <summary>Writes a model: ML.NET's header with our loader's signature, then the payload.</summary>
    public static void Save(ModelSaveContext context, string modelSignature, string loaderSignature, Action<BinaryWriter> write)
    {
        var versionInfoType = Find(CoreAssembly, "Microsoft.ML.VersionInfo");
        var versionInfo = Activator.CreateInstance(versionInfoType, modelSignature, 0x00010001u, 0x00010001u, 0x00010001u, typeof(MLNetModelFormat).Assembly.FullName, loaderSignature, null)!;
        Method(typeof(ModelSaveContext), "SetVersionInfo", [versionInfoType]).Invoke(context, [versionInfo]);
        var writer = (BinaryWriter)Field(typeof(ModelSaveContext), "Writer").GetValue(context)!;
        write(writer);
    }

    /// <summary>The payload reader of a <c>ModelLoadContext</c>.</summary>
    public static BinaryReader ReaderOf(object loadContext) =>
        (BinaryReader)Field(loadContext.GetType(), "Reader").GetValue(loadContext)!;

    /// <summary>
    /// Adds a model loader under <paramref name="loaderSignature"/> to the catalog (once per catalog).
    /// <paramref name="create"/> is a static (IHostEnvironment, object) method returning <paramref name="instanceType"/>.
    /// </summary>
    public static void RegisterLoader(ComponentCatalog catalog, Type instanceType, string loaderSignature, MethodInfo create)
    {
        var done = Registered.GetOrCreateValue(catalog);
        lock (done)
        {
            if (done.Contains(loaderSignature))
            {
                return;
            }

            var attributeType = Find(CoreAssembly, "Microsoft.ML.LoadableClassAttribute");
            var signatureType = Find(CoreAssembly, "Microsoft.ML.SignatureLoadModel");
            var attributeConstructor = attributeType.GetConstructor([typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])])
                ?? throw Moved("LoadableClassAttribute(Type, Type, Type, string, string[])");
            var attribute = attributeConstructor.Invoke([instanceType, null, signatureType, "", new[] { loaderSignature }]);
            var infoType = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", BindingFlags.NonPublic | BindingFlags.Public) ?? throw Moved("ComponentCatalog.LoadableClassInfo");
            var infoConstructor = infoType.GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).FirstOrDefault(c => c.GetParameters().Length == 5)
                ?? throw Moved("LoadableClassInfo(attribute, getter, ctor, create, requireEnvironment)");
            var info = infoConstructor.Invoke([attribute, null, null, create, true]);
            var addClass = Method(typeof(ComponentCatalog), "AddClass", [infoType, typeof(string[]), typeof(bool)]);
            var catalogLock = Field(typeof(ComponentCatalog), "_lock").GetValue(catalog)!;
            lock (catalogLock)
            {
                addClass.Invoke(catalog, [info, new[] { loaderSignature }, false]);
            }

            done.Add(loaderSignature);
        }
    }

    /// <summary>A column of an estimator's output shape.</summary>
    public static SchemaShape.Column ShapeColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        var constructor = typeof(SchemaShape.Column).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .FirstOrDefault(c => c.GetParameters().Length == 5) ?? throw Moved("SchemaShape.Column(name, kind, itemType, isKey, annotations)");
        return (SchemaShape.Column)constructor.Invoke([name, kind, itemType, isKey, annotations]);
    }

    /// <summary>The environment behind a trainers catalog (<c>mlContext.BinaryClassification.Trainers</c>), or null.</summary>
    public static IHostEnvironment? EnvironmentOf(object catalog)
    {
        var internalCatalog = typeof(MLContext).Assembly.GetType("Microsoft.ML.Data.IInternalCatalog");
        if (internalCatalog?.IsInstanceOfType(catalog) == true)
        {
            return internalCatalog.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment;
        }

        // ModelOperationsCatalog keeps its environment in an internal property of its own.
        return catalog.GetType().GetProperty("Environment", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(catalog) as IHostEnvironment;
    }

    private static Type Find(Assembly assembly, string name) => assembly.GetType(name) ?? throw Moved(name);

    private static MethodInfo Method(Type type, string name, Type[] parameters) =>
        type.GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, parameters, null) ?? throw Moved($"{type.Name}.{name}");

    private static FieldInfo Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) ?? throw Moved($"{type.Name}.{name}");

    private static InvalidOperationException Moved(string member) => new(
        $"This ML.NET version lacks the internal member {member} that saving and loading neural-network models relies on (built for Microsoft.ML 6.0.0).");
}
