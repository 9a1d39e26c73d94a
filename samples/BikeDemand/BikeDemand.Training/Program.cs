// Tunes FastTree, LightGbm and L-BFGS Poisson regression (rentals are counts) with TPE on a bike-share data set that this sample makes, confirms
// the winner on held-out test rows and saves it into the BikeDemandModel library, whose consumption code
// BikeDemandModel.ConsoleApp uses. Run in samples/BikeDemand: dotnet run --project BikeDemand.Training
using System.Globalization;
using BikeDemand.Training;
using BikeDemandModelLibrary;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

var sampleFolder = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
var dataPath = Path.Combine(sampleFolder, "data", "rentals.csv");
if (!File.Exists(dataPath))
{
    BikeData.Write(dataPath, rows: 4000, seed: 2026);
    Console.WriteLine($"Made {dataPath} (4000 synthetic hours of bike rentals).");
}

var ml = new MLContext(seed: 1);
var data = BikeDemandModel.LoadData(ml, dataPath);

var tuning = ml.Tuning();
var pipeline = ml.Transforms.CopyColumns("Label", BikeDemandModel.LabelColumnName)
    .Append(ml.Transforms.Categorical.OneHotEncoding([new InputOutputColumnPair("WeekdayOneHot", "Weekday"), new InputOutputColumnPair("SeasonOneHot", "Season"), new InputOutputColumnPair("WeatherOneHot", "Weather")]))
    .Append(ml.Transforms.Conversion.ConvertType("HolidayNumber", "Holiday", Microsoft.ML.Data.DataKind.Single))
    .Append(ml.Transforms.Concatenate("Features", "Hour", "WeekdayOneHot", "HolidayNumber", "SeasonOneHot", "WeatherOneHot", "Temperature", "Humidity", "WindSpeed"))
    .Append(ml.Transforms.NormalizeMinMax("Features"))
    .Append(tuning.Regression.FastTree(), tuning.Regression.LightGbm(), tuning.Regression.LbfgsPoissonRegression());

// 20% of the rows are test rows no trial sees; of the rest, 25% validate the trials. The time budget keeps the
// sample within CI's two minutes on a slow machine.
var experiment = tuning.CreateExperiment(
        pipeline,
        RegressionTuningMetric.RSquared,
        options: new TuningExperimentOptions { MaxTrials = 20, TimeBudget = TimeSpan.FromSeconds(60), ParallelTrials = 2, Seed = 1, ConfirmTopTrials = 1 })
    .SetTrainValidationSplit(data, validationFraction: 0.25)
    .SetTestFraction(0.2)
    .SetTuner(tuning.Tuners.Tpe());

// One line per trial, as the library writes it to ML.NET's log.
ml.Log += (_, e) => { if (e.Source == TuningStudy.LogSource) Console.WriteLine(e.RawMessage); };

Console.WriteLine("Tuning FastTree | LightGbm | LbfgsPoissonRegression with TPE for R² (20 trials, 2 at a time)...");
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
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test RSquared: {test.Value:F4} ({result.Confirmation.ConfidenceLevel * 100:F0}% interval {test.Low:F4} to {test.High:F4}, {result.Confirmation.TestRows} held-out rows)"));

var modelPath = Path.Combine(sampleFolder, "BikeDemandModel", "BikeDemandModel.zip");
ml.Model.Save(result.BestModel, data.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}. Predict with it: dotnet run --project BikeDemandModel.ConsoleApp");
return 0;
