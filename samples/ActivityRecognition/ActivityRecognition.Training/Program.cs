// Tunes a neural network (MLNetTuning.TorchSharp) with Hyperband on a fitness-tracker data set that this sample
// makes: many configurations get 1 epoch, the best go on to 3, 9 and 27 epochs, continuing their checkpoints.
// Confirms the winner on held-out test rows and saves it into the ActivityModel library, whose consumption code
// ActivityModel.ConsoleApp uses. Run in samples/ActivityRecognition: dotnet run --project ActivityRecognition.Training
using System.Globalization;
using ActivityModelLibrary;
using ActivityRecognition.Training;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using MLNetTuning.Tuners;

// Loads libtorch (patching it on Debian 12, docs/networks.md) now, so a system that cannot run it fails here
// with the reason instead of in every trial.
try
{
    TorchSharpRuntime.EnsureLoaded();
}
catch (InvalidOperationException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

var sampleFolder = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
var dataPath = Path.Combine(sampleFolder, "data", "activities.csv");
if (!File.Exists(dataPath))
{
    ActivityData.Write(dataPath, rows: 2400, seed: 2026);
    Console.WriteLine($"Made {dataPath} (2400 synthetic minutes of fitness-tracker readings).");
}

var ml = new MLContext(seed: 1);
var data = ActivityModel.LoadData(ml, dataPath);
var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

// The label's keys follow ActivityModel.ClassNames, so the consumption code names the classes in the model's order.
var classes = ml.Data.LoadFromEnumerable(ActivityModel.ClassNames.Select(name => new ClassName { Value = name }));
var space = HyperparameterSpace.CreateBuilder()
    .Int(NeuralNetworkPresets.HiddenLayers, 1, 2, defaultValue: 2)
    .Int(NeuralNetworkPresets.Units, 16, 128, logScale: true, defaultValue: 32)
    .Enum<NeuralNetworkActivation>(NeuralNetworkPresets.Activation, NeuralNetworkActivation.ReLU)
    .Double(NeuralNetworkPresets.Dropout, 0, 0.3, defaultValue: 0)
    .Double(NeuralNetworkPresets.LearningRate, 1e-3, 3e-2, logScale: true, defaultValue: 3e-3)
    .Choice(NeuralNetworkPresets.BatchSize, new[] { 32, 64 }, 32)
    .Build();
var tuning = ml.Tuning();
var network = tuning.MulticlassClassification.NeuralNetwork(space: space, configure: o => o.NumberOfThreads = 1)
    .WithBudget("epochs", 1, 27);                            // rungs of 1, 3, 9 and 27 epochs with η = 3
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", ActivityModel.LabelColumnName, keyData: classes)
    .Append(ml.Transforms.Concatenate("Features", "AccelerationSd", "Cadence", "HeartRate", "Speed", "WristStillness"))
    .Append(network);

// One Hyperband iteration (4 brackets, about 70 trials); 20% of the rows are test rows no trial sees, and 25% of
// the rest validate the trials. The time budget keeps the sample within CI's two minutes on a slow machine.
var experiment = tuning.CreateExperiment(
        pipeline,
        MulticlassTuningMetric.LogLoss,
        options: new TuningExperimentOptions { MaxTrials = 100, TimeBudget = TimeSpan.FromSeconds(70), ParallelTrials = 2, Seed = 1, ConfirmTopTrials = 1 })
    .SetTrainValidationSplit(split.TrainSet, validationFraction: 0.25)
    .SetTestData(split.TestSet)
    .SetTuner(tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 27, MaxBrackets = 4 }));

// One line per trial, as the library writes it to ML.NET's log.
ml.Log += (_, e) => { if (e.Source == TuningStudy.LogSource) Console.WriteLine(e.RawMessage); };

Console.WriteLine("Tuning a neural network with Hyperband (1 to 27 epochs) for log-loss...");
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
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test LogLoss: {test.Value:F4} ({result.Confirmation.ConfidenceLevel * 100:F0}% interval {test.Low:F4} to {test.High:F4}, {result.Confirmation.TestRows} held-out rows)"));
var metrics = ml.MulticlassClassification.Evaluate(result.BestModel.Transform(split.TestSet));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test MicroAccuracy: {metrics.MicroAccuracy:F4}"));

var modelPath = Path.Combine(sampleFolder, "ActivityModel", "ActivityModel.zip");
ml.Model.Save(result.BestModel, data.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}. Predict with it: dotnet run --project ActivityModel.ConsoleApp");
return 0;

/// <summary>One class name: the rows of the label's key list.</summary>
internal sealed class ClassName
{
    public string Value { get; set; } = "";
}
