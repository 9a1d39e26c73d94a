using System.Reflection;
using Microsoft.ML;

namespace MLNetTuning.Pipelines;

/// <summary>
/// Two ML.NET members that are internal in Microsoft.ML 5.0.1 but that tuning needs: cancelling a context's
/// running trainers, and the schema shape an estimator checks its input against. Both are reached by
/// reflection; if a later ML.NET moves them, cancellation falls back to waiting for the trial and the
/// up-front pipeline check is skipped (trials then fail with ML.NET's own message).
/// </summary>
internal static class MLNetInternals
{
    private static readonly MethodInfo? CancelMethod = typeof(MLContext).Assembly.GetTypes()
        .Concat(typeof(IDataView).Assembly.GetTypes())
        .FirstOrDefault(t => t.FullName == "Microsoft.ML.Runtime.ICancelable")
        ?.GetMethod("CancelExecution");

    private static readonly MethodInfo? CreateShapeMethod = typeof(SchemaShape).GetMethod(
        "Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)]);

    /// <summary>Asks every trainer running in <paramref name="context"/> to stop; they throw <see cref="OperationCanceledException"/>.</summary>
    public static void CancelExecution(MLContext context) => CancelMethod?.Invoke(context, null);

    /// <summary>The schema shape of a data schema, or null when ML.NET no longer offers it.</summary>
    public static SchemaShape? ShapeOf(DataViewSchema schema) => CreateShapeMethod?.Invoke(null, [schema]) as SchemaShape;
}
