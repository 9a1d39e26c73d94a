// Tunes a text classifier on short support messages that this sample makes: FeaturizeText turns each message into
// word and character n-grams, then SDCA (maximum entropy), LightGbm and a neural network (MLNetTuning.TorchSharp)
// compete in one search. Confirms the winner on held-out test rows and saves it into the TicketModel library,
// whose consumption code TicketModel.ConsoleApp uses. Run in samples/SupportTickets: dotnet run --project SupportTickets.Training
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using MLNetTuning.Pipelines;
using MLNetTuning.Pipelines.Presets;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.TorchSharp;
using SupportTickets.Training;
using TicketModelLibrary;

// Loads libtorch (patching it on Debian 12, docs/networks.md) now, so a system that cannot run it fails here
// with the reason instead of in every network trial.
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
var dataPath = Path.Combine(sampleFolder, "data", "tickets.csv");
if (!File.Exists(dataPath))
{
    TicketData.Write(dataPath, rows: 1200, seed: 2026);
    Console.WriteLine($"Made {dataPath} (1200 synthetic support messages).");
}

var ml = new MLContext(seed: 1);
var data = TicketModel.LoadData(ml, dataPath);

// The label's keys follow TicketModel.ClassNames, so the consumption code names the classes in the model's order.
var classes = ml.Data.LoadFromEnumerable(TicketModel.ClassNames.Select(name => new ClassName { Value = name }));

// One small hidden layer suits a few thousand sparse n-gram features and a short run.
var networkSpace = HyperparameterSpace.CreateBuilder()
    .Constant(NeuralNetworkPresets.HiddenLayers, 1)
    .Int(NeuralNetworkPresets.Units, 16, 64, logScale: true, defaultValue: 32)
    .Double(NeuralNetworkPresets.Dropout, 0, 0.5, defaultValue: 0.2)
    .Double(NeuralNetworkPresets.LearningRate, 1e-3, 3e-2, logScale: true, defaultValue: 3e-3)
    .Double(NeuralNetworkPresets.WeightDecay, 1e-6, 1e-2, logScale: true, defaultValue: 1e-5)
    .Int(NeuralNetworkPresets.Epochs, 3, 12, defaultValue: 6)
    .Build();
var tuning = ml.Tuning();

// LightGbm as the preset searches it (LightGbmSearchOptions), but with one thread: two trials train at once, and
// LightGbm's OpenMP threads, once they outnumber the cores, wait on each other. On a busy two-core machine one
// LightGbm fit on these n-grams took 136 s with LightGbm's default threads and 7 s with one.
var lightGbm = tuning.CreateTunableEstimator<LightGbmSearchOptions>("LightGbm", (context, s) => context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
{
    NumberOfLeaves = s.NumberOfLeaves,
    NumberOfIterations = s.NumberOfIterations,
    MinimumExampleCountPerLeaf = s.MinimumExampleCountPerLeaf,
    LearningRate = s.LearningRate,
    Booster = new GradientBooster.Options { FeatureFraction = s.FeatureFraction, L2Regularization = s.L2Regularization },
    NumberOfThreads = 1,
}));
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", TicketModel.LabelColumnName, keyData: classes)
    .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
    .Append(
        tuning.MulticlassClassification.SdcaMaximumEntropy(),
        lightGbm,
        tuning.MulticlassClassification.NeuralNetwork(space: networkSpace, configure: o => o.NumberOfThreads = 1));

// 20% of the rows are test rows no trial sees; of the rest, 25% validate the trials. The time budget keeps the
// sample within CI's two minutes on a slow machine.
var experiment = tuning.CreateExperiment(
        pipeline,
        MulticlassTuningMetric.MicroAccuracy,
        options: new TuningExperimentOptions { MaxTrials = 18, TimeBudget = TimeSpan.FromSeconds(70), ParallelTrials = 2, Seed = 1, ConfirmTopTrials = 1 })
    .SetTrainValidationSplit(data, validationFraction: 0.25)
    .SetTestFraction(0.2)
    // One trial of each trainer first (the tuner fills in the hyperparameters), so all three are tried even when a
    // slow machine leaves time for few trials; then the tuner chooses.
    .Enqueue(new Dictionary<string, object?> { ["trainer"] = "SdcaMaximumEntropy" })
    .Enqueue(new Dictionary<string, object?> { ["trainer"] = "LightGbm" })
    .Enqueue(new Dictionary<string, object?> { ["trainer"] = "NeuralNetwork" });

// One line per trial, as the library writes it to ML.NET's log.
ml.Log += (_, e) => { if (e.Source == TuningStudy.LogSource) Console.WriteLine(e.RawMessage); };

Console.WriteLine("Tuning SdcaMaximumEntropy | LightGbm | NeuralNetwork on FeaturizeText for micro-accuracy (18 trials, 2 at a time)...");
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
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test MicroAccuracy: {test.Value:F4} ({result.Confirmation.ConfidenceLevel * 100:F0}% interval {test.Low:F4} to {test.High:F4}, {result.Confirmation.TestRows} held-out rows)"));

var modelPath = Path.Combine(sampleFolder, "TicketModel", "TicketModel.zip");
ml.Model.Save(result.BestModel, data.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}. Predict with it: dotnet run --project TicketModel.ConsoleApp");
return 0;

/// <summary>One class name: the rows of the label's key list.</summary>
internal sealed class ClassName
{
    public string Value { get; set; } = "";
}
