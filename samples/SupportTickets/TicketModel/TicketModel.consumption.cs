// The consumption code of the ticket model, in the layout mlnet-tune generate writes (docs/from-study-to-app.md).
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;

namespace TicketModelLibrary;

/// <summary>Sends a support message to its team, with the model SupportTickets.Training tuned.</summary>
public partial class TicketModel
{
    /// <summary>The label column of the data.</summary>
    public const string LabelColumnName = "Team";

    /// <summary>The classes in the model's order (the order of the label's keys).</summary>
    public static readonly string[] ClassNames = { "billing", "technical", "shipping", "account" };

    /// <summary>The model file, beside the program.</summary>
    public static readonly string MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "TicketModel.zip");

    /// <summary>The prediction engine, created once on first use (it is not thread-safe: use one per thread, or a
    /// PredictionEnginePool, in a server).</summary>
    public static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(() => CreatePredictEngine(), true);

    /// <summary>Predicts one row.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

    /// <summary>Every class with its score, best first.</summary>
    public static IOrderedEnumerable<KeyValuePair<string, float>> PredictAllLabels(ModelInput input)
    {
        var result = PredictEngine.Value.Predict(input);
        return ClassNames.Zip(result.Score, KeyValuePair.Create).OrderByDescending(c => c.Value);
    }

    /// <summary>Reads a file like tickets.csv (header row, comma-separated, quoted texts) as rows of <see cref="ModelInput"/>.</summary>
    public static IDataView LoadData(MLContext mlContext, string dataPath) =>
        mlContext.Data.LoadFromTextFile<ModelInput>(dataPath, separatorChar: ',', hasHeader: true, allowQuoting: true);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        if (!File.Exists(MLNetModelPath))
        {
            throw new FileNotFoundException($"There is no model at {MLNetModelPath}. Run the training first (dotnet run --project SupportTickets.Training), then build this app again.", MLNetModelPath);
        }

        var mlContext = new MLContext();
        // LoadTunedModel registers the network's loader before it loads, in case the winner is the network.
        var model = mlContext.Model.LoadTunedModel(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }

    /// <summary>One support message: the columns of tickets.csv. The label is not needed to predict.</summary>
    public class ModelInput
    {
        /// <summary>The message.</summary>
        [LoadColumn(0)]
        [ColumnName("Text")]
        public string Text { get; set; } = "";

        /// <summary>The label: billing, technical, shipping or account.</summary>
        [LoadColumn(1)]
        [ColumnName("Team")]
        public string Team { get; set; } = "";
    }

    /// <summary>The model's prediction.</summary>
    public class ModelOutput
    {
        /// <summary>The predicted class's key (1-based; 0 is missing).</summary>
        [ColumnName("PredictedLabel")]
        public uint PredictedLabel { get; set; }

        /// <summary>The score of each class, in the order of <see cref="ClassNames"/>.</summary>
        [ColumnName("Score")]
        public float[] Score { get; set; } = [];

        /// <summary>The predicted class as it is written in the data.</summary>
        public string? PredictedClass => PredictedLabel == 0 ? null : ClassNames[PredictedLabel - 1];
    }
}
