// Tunes FastTree, LightGbm and SDCA on a loan-default data set that this sample makes, confirms the winner on
// held-out test rows and saves it into the LoanModel library, whose consumption code LoanModel.ConsoleApp uses.
// Run in samples/LoanDefault: dotnet run --project LoanDefault.Training (the working directory is that folder).
using System.Globalization;
using LoanDefault.Training;
using LoanModelLibrary;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;

var sampleFolder = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
var dataPath = Path.Combine(sampleFolder, "data", "loans.csv");
if (!File.Exists(dataPath))
{
    LoanData.Write(dataPath, rows: 3000, seed: 2026);
    Console.WriteLine($"Made {dataPath} (3000 synthetic loan applications).");
}

var ml = new MLContext(seed: 1);
var data = LoanModel.LoadData(ml, dataPath);

var tuning = ml.Tuning();
var pipeline = ml.Transforms.CopyColumns("Label", LoanModel.LabelColumnName)
    .Append(ml.Transforms.Categorical.OneHotEncoding("PurposeOneHot", "Purpose"))
    .Append(ml.Transforms.Conversion.ConvertType("CoSigner", "HasCoSigner", Microsoft.ML.Data.DataKind.Single))
    .Append(ml.Transforms.Concatenate("Features", "Age", "Income", "LoanAmount", "CreditScore", "YearsEmployed", "PurposeOneHot", "CoSigner"))
    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
    .Append(tuning.BinaryClassification.FastTree(), tuning.BinaryClassification.LightGbm(), tuning.BinaryClassification.SdcaLogisticRegression());

// 20% of the rows are test rows no trial sees; of the rest, 25% validate the trials. The time budget keeps the
// sample within CI's two minutes on a slow machine.
var experiment = tuning.CreateExperiment(
        pipeline,
        BinaryTuningMetric.AreaUnderRocCurve,
        options: new TuningExperimentOptions { MaxTrials = 24, TimeBudget = TimeSpan.FromSeconds(60), ParallelTrials = 2, Seed = 1, ConfirmTopTrials = 1 })
    .SetTrainValidationSplit(data, validationFraction: 0.25)
    .SetTestFraction(0.2);

// One line per trial, as the library writes it to ML.NET's log.
ml.Log += (_, e) => { if (e.Source == TuningStudy.LogSource) Console.WriteLine(e.RawMessage); };

Console.WriteLine("Tuning FastTree | LightGbm | SdcaLogisticRegression for AUC (24 trials, 2 at a time)...");
var result = await experiment.RunAsync();
Console.WriteLine();
Console.WriteLine(result.FormatLeaderboard(top: 10));
Console.WriteLine(result);
if (result.BestTrial is null || result.Confirmation is null)
{
    // result.BestModel would throw here, with the first trial error.
    Console.Error.WriteLine($"No trial completed; the first error: {result.FirstError}");
    return 1;
}

Console.WriteLine($"Best parameters: {result.BestTrial.Parameters.ToJson()}");
var test = result.Confirmation.Best.TestMetric;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test AreaUnderRocCurve: {test.Value:F4} ({result.Confirmation.ConfidenceLevel * 100:F0}% interval {test.Low:F4} to {test.High:F4}, {result.Confirmation.TestRows} held-out rows)"));

var modelPath = Path.Combine(sampleFolder, "LoanModel", "LoanModel.zip");
ml.Model.Save(result.BestModel, data.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}. Predict with it: dotnet run --project LoanModel.ConsoleApp");
return 0;
