// The consumption code of the loan-default model, in the layout mlnet-tune generate writes (docs/from-study-to-app.md).
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LoanModelLibrary;

/// <summary>Predicts whether a loan defaults, with the model LoanDefault.Training tuned.</summary>
public partial class LoanModel
{
    /// <summary>The label column of the data.</summary>
    public const string LabelColumnName = "Defaulted";

    /// <summary>The classes in the model's order: the negative class, then the positive one.</summary>
    public static readonly string[] ClassNames = { "False", "True" };

    /// <summary>The model file, beside the program.</summary>
    public static readonly string MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "LoanModel.zip");

    /// <summary>The prediction engine, created once on first use (it is not thread-safe: use one per thread, or a
    /// PredictionEnginePool, in a server).</summary>
    public static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(() => CreatePredictEngine(), true);

    /// <summary>Predicts one row.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

    /// <summary>Reads a file like loans.csv (header row, comma-separated) as rows of <see cref="ModelInput"/>.</summary>
    public static IDataView LoadData(MLContext mlContext, string dataPath) =>
        mlContext.Data.LoadFromTextFile<ModelInput>(dataPath, separatorChar: ',', hasHeader: true);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        if (!File.Exists(MLNetModelPath))
        {
            throw new FileNotFoundException($"There is no model at {MLNetModelPath}. Run the training first (dotnet run --project LoanDefault.Training), then build this app again.", MLNetModelPath);
        }

        var mlContext = new MLContext();
        var model = mlContext.Model.Load(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }

    /// <summary>One loan application: the columns of loans.csv. The label is not needed to predict.</summary>
    public class ModelInput
    {
        /// <summary>Age in years.</summary>
        [LoadColumn(0)]
        [ColumnName("Age")]
        public float Age { get; set; }

        /// <summary>Yearly income.</summary>
        [LoadColumn(1)]
        [ColumnName("Income")]
        public float Income { get; set; }

        /// <summary>The amount borrowed.</summary>
        [LoadColumn(2)]
        [ColumnName("LoanAmount")]
        public float LoanAmount { get; set; }

        /// <summary>Credit score, 300 to 850.</summary>
        [LoadColumn(3)]
        [ColumnName("CreditScore")]
        public float CreditScore { get; set; }

        /// <summary>Years in employment.</summary>
        [LoadColumn(4)]
        [ColumnName("YearsEmployed")]
        public float YearsEmployed { get; set; }

        /// <summary>car, home, education, business or medical.</summary>
        [LoadColumn(5)]
        [ColumnName("Purpose")]
        public string Purpose { get; set; } = "";

        /// <summary>Whether someone co-signed.</summary>
        [LoadColumn(6)]
        [ColumnName("HasCoSigner")]
        public bool HasCoSigner { get; set; }

        /// <summary>The label: whether the loan defaulted.</summary>
        [LoadColumn(7)]
        [ColumnName("Defaulted")]
        public bool Defaulted { get; set; }
    }

    /// <summary>The model's prediction.</summary>
    public class ModelOutput
    {
        /// <summary>True when the model predicts a default.</summary>
        [ColumnName("PredictedLabel")]
        public bool PredictedLabel { get; set; }

        /// <summary>The raw score.</summary>
        [ColumnName("Score")]
        public float Score { get; set; }

        /// <summary>The calibrated probability of a default.</summary>
        [ColumnName("Probability")]
        public float Probability { get; set; }

        /// <summary>The predicted class as it is written in the data.</summary>
        public string PredictedClass => ClassNames[PredictedLabel ? 1 : 0];
    }
}
