// Predicts with the network ActivityRecognition.Training saved, through the consumption code alone: no
// MLNetTuning.TorchSharp, no TorchSharp, no libtorch. Run the training first, then:
// dotnet run --project ActivityModel.ConsoleApp
using System.Globalization;
using ActivityModelLibrary;

var minutes = new (string What, ActivityModel.ModelInput Row)[]
{
    ("A fast, steady minute with still wrists", new() { AccelerationSd = 0.2f, Cadence = 1.3f, HeartRate = 128, Speed = 21, WristStillness = 0.8f }),
    ("A minute of strong, quick steps", new() { AccelerationSd = 1.0f, Cadence = 2.8f, HeartRate = 158, Speed = 11, WristStillness = 0.05f }),
};
foreach (var (what, row) in minutes)
{
    var result = ActivityModel.Predict(row);
    Console.WriteLine($"{what}: predicted {ActivityModel.LabelColumnName}: {result.PredictedClass}");
    foreach (var (label, score) in ActivityModel.PredictAllLabels(row))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: {score:F4}"));
    }
}
