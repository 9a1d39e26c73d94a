// The consumption code of the activity model, in the layout mlnet-tune generate writes (docs/from-study-to-app.md).
// The model holds a neural network: MLNetTuning.TorchSharp.Scoring loads and scores it without libtorch.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.TorchSharp;

namespace ActivityModelLibrary;

/// <summary>Predicts what a person wearing a fitness tracker is doing, with the network ActivityRecognition.Training tuned.</summary>
public partial class ActivityModel
{
    /// <summary>The label column of the data.</summary>
    public const string LabelColumnName = "Activity";

    /// <summary>The classes in the model's order (the order of the label's keys).</summary>
    public static readonly string[] ClassNames = { "sitting", "walking", "running", "cycling" };

    /// <summary>The model file, beside the program.</summary>
    public static readonly string MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "ActivityModel.zip");

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

    /// <summary>Reads a file like activities.csv (header row, comma-separated) as rows of <see cref="ModelInput"/>.</summary>
    public static IDataView LoadData(MLContext mlContext, string dataPath) =>
        mlContext.Data.LoadFromTextFile<ModelInput>(dataPath, separatorChar: ',', hasHeader: true);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        if (!File.Exists(MLNetModelPath))
        {
            throw new FileNotFoundException($"There is no model at {MLNetModelPath}. Run the training first (dotnet run --project ActivityRecognition.Training), then build this app again.", MLNetModelPath);
        }

        var mlContext = new MLContext();
        // LoadTunedModel registers the network's loader before it loads (mlContext.Model.Load alone would not know it).
        var model = mlContext.Model.LoadTunedModel(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }

    /// <summary>One minute of fitness-tracker readings: the columns of activities.csv. The label is not needed to predict.</summary>
    public class ModelInput
    {
        /// <summary>Standard deviation of the acceleration, in g.</summary>
        [LoadColumn(0)]
        [ColumnName("AccelerationSd")]
        public float AccelerationSd { get; set; }

        /// <summary>Dominant frequency of the motion, in Hz (steps or pedal strokes).</summary>
        [LoadColumn(1)]
        [ColumnName("Cadence")]
        public float Cadence { get; set; }

        /// <summary>Heart rate, in beats per minute.</summary>
        [LoadColumn(2)]
        [ColumnName("HeartRate")]
        public float HeartRate { get; set; }

        /// <summary>GPS speed, in km/h.</summary>
        [LoadColumn(3)]
        [ColumnName("Speed")]
        public float Speed { get; set; }

        /// <summary>Share of the minute the wrist was held still, 0 to 1 (high on handlebars).</summary>
        [LoadColumn(4)]
        [ColumnName("WristStillness")]
        public float WristStillness { get; set; }

        /// <summary>The label: sitting, walking, running or cycling.</summary>
        [LoadColumn(5)]
        [ColumnName("Activity")]
        public string Activity { get; set; } = "";
    }

    /// <summary>The model's prediction.</summary>
    public class ModelOutput
    {
        /// <summary>The predicted class's key (1-based; 0 is missing).</summary>
        [ColumnName("PredictedLabel")]
        public uint PredictedLabel { get; set; }

        /// <summary>The probability of each class, in the order of <see cref="ClassNames"/>.</summary>
        [ColumnName("Score")]
        public float[] Score { get; set; } = [];

        /// <summary>The predicted class as it is written in the data.</summary>
        public string? PredictedClass => PredictedLabel == 0 ? null : ClassNames[PredictedLabel - 1];
    }
}
