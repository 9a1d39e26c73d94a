// Tunes FastTree, LightGbm and SDCA on a loan-default data set that this sample makes, prints a
// leaderboard, saves the best model and uses it. Run: dotnet run --project samples/LoanDefault
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Samples.LoanDefault;
using MLNetTuning.Studies;

var output = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "out", "loan-default");
var dataPath = Path.Combine(output, "loans.csv");
if (!File.Exists(dataPath))
{
    LoanData.Write(dataPath, rows: 3000, seed: 2026);
    Console.WriteLine($"Made {dataPath} (3000 synthetic loan applications).");
}

var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromTextFile<LoanApplication>(dataPath, separatorChar: ',', hasHeader: true);
var split = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);

var tuning = ml.Tuning();
var pipeline = ml.Transforms.Categorical.OneHotEncoding("PurposeOneHot", "Purpose")
    .Append(ml.Transforms.Conversion.ConvertType("CoSigner", "HasCoSigner", Microsoft.ML.Data.DataKind.Single))
    .Append(ml.Transforms.Concatenate("Features", "Age", "Income", "LoanAmount", "CreditScore", "YearsEmployed", "PurposeOneHot", "CoSigner"))
    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
    .Append(tuning.BinaryClassification.FastTree(), tuning.BinaryClassification.LightGbm(), tuning.BinaryClassification.SdcaLogisticRegression());

var experiment = tuning.CreateExperiment(
        pipeline,
        BinaryTuningMetric.AreaUnderRocCurve,
        options: new TuningExperimentOptions { MaxTrials = 24, TimeBudget = TimeSpan.FromMinutes(3), ParallelTrials = 2 })
    .SetTrainValidationData(split.TrainSet, split.TestSet);

// One line per trial, as the library writes it to ML.NET's log.
ml.Log += (_, e) => { if (e.Source == TuningStudy.LogSource) Console.WriteLine(e.RawMessage); };

Console.WriteLine("Tuning FastTree | LightGbm | SdcaLogisticRegression for AUC (24 trials, 2 at a time)...");
var result = await experiment.RunAsync();
Console.WriteLine();
Console.WriteLine(result.FormatLeaderboard(top: 10));
Console.WriteLine(result);
if (result.BestTrial is null)
{
    // result.BestModel would throw here, with the first trial error.
    Console.Error.WriteLine($"No trial completed; the first error: {result.FirstError}");
    return 1;
}

Console.WriteLine($"Best parameters: {result.BestTrial.Parameters.ToJson()}");
var modelPath = Path.Combine(output, "best-model.zip");
ml.Model.Save(result.BestModel, data.Schema, modelPath);
Console.WriteLine($"Saved the best model to {modelPath}.");

var engine = ml.Model.CreatePredictionEngine<LoanApplication, LoanPrediction>(ml.Model.Load(modelPath, out _));
var applicant = new LoanApplication { Age = 23, Income = 28000, LoanAmount = 25000, CreditScore = 580, YearsEmployed = 1, Purpose = "business" };
var prediction = engine.Predict(applicant);
Console.WriteLine($"A 23-year-old with a 580 credit score borrowing 25,000 on 28,000 a year: default probability {prediction.Probability:P0}.");
return 0;

internal sealed class LoanPrediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
