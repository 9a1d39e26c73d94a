using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// Loading models that contain tuned neural networks, in any process: this package scores them in managed code
/// and needs neither TorchSharp nor libtorch.
/// </summary>
public static class NeuralNetworkModelExtensions
{
    /// <summary>
    /// Lets <c>mlContext.Model.Load</c> read neural-network models. Building any neural-network trainer on a
    /// context does this already; call it before loading in a process that has not, or use <see cref="LoadTunedModel(ModelOperationsCatalog, string, out DataViewSchema)"/>.
    /// </summary>
    /// <example><c>mlContext.ComponentCatalog.RegisterNeuralNetworks(); var model = mlContext.Model.Load("model.zip", out _);</c></example>
    /// <exception cref="InvalidOperationException">This ML.NET version lacks an internal member the loader needs.</exception>
    public static void RegisterNeuralNetworks(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        NeuralNetworkTransformer.RegisterLoader(catalog);
    }

    /// <summary>
    /// Loads a model saved with <c>mlContext.Model.Save</c> (a tuned pipeline, with or without neural networks),
    /// with every MLNetTuning component registered first.
    /// </summary>
    /// <param name="catalog">The context's model operations (<c>mlContext.Model</c>).</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <example><c>var model = mlContext.Model.LoadTunedModel("best-model.zip", out var schema);</c></example>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static ITransformer LoadTunedModel(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No model file at '{Path.GetFullPath(path)}'.", path);
        }

        using var stream = File.OpenRead(path);
        return catalog.LoadTunedModel(stream, out inputSchema);
    }

    /// <summary>Loads a model from a stream, with every MLNetTuning component registered first.</summary>
    /// <param name="catalog">The context's model operations (<c>mlContext.Model</c>).</param>
    /// <param name="stream">A readable stream holding a saved model.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    public static ITransformer LoadTunedModel(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        var environment = MLNetModelFormat.EnvironmentOf(catalog)
            ?? throw new InvalidOperationException("This ML.NET version hides the model catalog's environment, which loading tuned models relies on; call mlContext.ComponentCatalog.RegisterNeuralNetworks() and mlContext.Model.Load instead.");
        environment.ComponentCatalog.RegisterNeuralNetworks();
        return catalog.Load(stream, out inputSchema);
    }
}
