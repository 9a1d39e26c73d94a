// The consumption code of the bike-demand model, in the layout mlnet-tune generate writes (docs/from-study-to-app.md).
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BikeDemandModelLibrary;

/// <summary>Predicts the bikes rented in an hour, with the model BikeDemand.Training tuned.</summary>
public partial class BikeDemandModel
{
    /// <summary>The label column of the data.</summary>
    public const string LabelColumnName = "Rentals";

    /// <summary>The model file, beside the program.</summary>
    public static readonly string MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "BikeDemandModel.zip");

    /// <summary>The prediction engine, created once on first use (it is not thread-safe: use one per thread, or a
    /// PredictionEnginePool, in a server).</summary>
    public static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(() => CreatePredictEngine(), true);

    /// <summary>Predicts one row.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

    /// <summary>Reads a file like rentals.csv (header row, comma-separated) as rows of <see cref="ModelInput"/>.</summary>
    public static IDataView LoadData(MLContext mlContext, string dataPath) =>
        mlContext.Data.LoadFromTextFile<ModelInput>(dataPath, separatorChar: ',', hasHeader: true);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        if (!File.Exists(MLNetModelPath))
        {
            throw new FileNotFoundException($"There is no model at {MLNetModelPath}. Run the training first (dotnet run --project BikeDemand.Training), then build this app again.", MLNetModelPath);
        }

        var mlContext = new MLContext();
        var model = mlContext.Model.Load(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }

    /// <summary>One hour at one bike-share station: the columns of rentals.csv. The label is not needed to predict.</summary>
    public class ModelInput
    {
        /// <summary>Hour of the day, 0 to 23.</summary>
        [LoadColumn(0)]
        [ColumnName("Hour")]
        public float Hour { get; set; }

        /// <summary>Mon to Sun.</summary>
        [LoadColumn(1)]
        [ColumnName("Weekday")]
        public string Weekday { get; set; } = "";

        /// <summary>Whether the day is a public holiday.</summary>
        [LoadColumn(2)]
        [ColumnName("Holiday")]
        public bool Holiday { get; set; }

        /// <summary>winter, spring, summer or autumn.</summary>
        [LoadColumn(3)]
        [ColumnName("Season")]
        public string Season { get; set; } = "";

        /// <summary>clear, cloudy or rain.</summary>
        [LoadColumn(4)]
        [ColumnName("Weather")]
        public string Weather { get; set; } = "";

        /// <summary>Air temperature in °C.</summary>
        [LoadColumn(5)]
        [ColumnName("Temperature")]
        public float Temperature { get; set; }

        /// <summary>Relative humidity in %.</summary>
        [LoadColumn(6)]
        [ColumnName("Humidity")]
        public float Humidity { get; set; }

        /// <summary>Wind speed in km/h.</summary>
        [LoadColumn(7)]
        [ColumnName("WindSpeed")]
        public float WindSpeed { get; set; }

        /// <summary>The label: bikes rented in the hour.</summary>
        [LoadColumn(8)]
        [ColumnName("Rentals")]
        public float Rentals { get; set; }
    }

    /// <summary>The model's prediction.</summary>
    public class ModelOutput
    {
        /// <summary>The predicted rentals.</summary>
        [ColumnName("Score")]
        public float Score { get; set; }
    }
}
