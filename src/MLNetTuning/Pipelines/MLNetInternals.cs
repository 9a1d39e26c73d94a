using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Three ML.NET members that are internal in Microsoft.ML 6.0.0 (and 5.0.1) but that tuning needs: cancelling a context's
/// running trainers, the schema shape an estimator checks its input against, and the constructor of a log
/// message. They are reached by reflection; if a later ML.NET moves them, cancellation falls back to waiting for
/// the trial, the up-front pipeline check is skipped (trials then fail with ML.NET's own message), and nothing is
/// written to <c>MLContext.Log</c> (the progress callback still reports).
/// </summary>
internal static class MLNetInternals
{
    // ICancelable lives in Microsoft.ML.Core (ComponentCatalog's assembly); MLContext's own environment implements it.
    private static readonly Type? CancelableType = typeof(ComponentCatalog).Assembly.GetType("Microsoft.ML.Runtime.ICancelable");

    private static readonly MethodInfo? CancelMethod = CancelableType?.GetMethod("CancelExecution");

    private static readonly FieldInfo[] ContextFields = typeof(MLContext).GetFields(BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly MethodInfo? CreateShapeMethod = typeof(SchemaShape).GetMethod(
        "Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)]);

    private static readonly ConstructorInfo? MessageConstructor = typeof(ChannelMessage).GetConstructor(
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(ChannelMessageKind), typeof(MessageSensitivity), typeof(string)]);

    /// <summary>A log message, or null when ML.NET no longer offers its constructor.</summary>
    public static ChannelMessage? Message(ChannelMessageKind kind, string text) =>
        MessageConstructor?.Invoke([kind, MessageSensitivity.None, text]) as ChannelMessage?;

    /// <summary>Asks every trainer running in <paramref name="context"/> to stop; they throw <see cref="OperationCanceledException"/>.</summary>
    public static void CancelExecution(MLContext context)
    {
        if (CancelableType is null || CancelMethod is null)
        {
            return;
        }

        var target = CancelableType.IsInstanceOfType(context)
            ? context
            : ContextFields.Select(f => f.GetValue(context)).FirstOrDefault(CancelableType.IsInstanceOfType);
        if (target is not null)
        {
            CancelMethod.Invoke(target, null);
        }
    }

    /// <summary>The schema shape of a data schema, or null when ML.NET no longer offers it.</summary>
    public static SchemaShape? ShapeOf(DataViewSchema schema) => CreateShapeMethod?.Invoke(null, [schema]) as SchemaShape;
}
