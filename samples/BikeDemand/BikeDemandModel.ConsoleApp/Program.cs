// Predicts with the model BikeDemand.Training saved, through the consumption code alone (no MLNetTuning).
// Run the training first, then: dotnet run --project BikeDemandModel.ConsoleApp
using System.Globalization;
using BikeDemandModelLibrary;

var hours = new (string When, BikeDemandModel.ModelInput Row)[]
{
    ("Tuesday 08:00, clear, 18 °C", new() { Hour = 8, Weekday = "Tue", Season = "spring", Weather = "clear", Temperature = 18, Humidity = 55, WindSpeed = 10 }),
    ("Sunday 03:00, rain, 6 °C", new() { Hour = 3, Weekday = "Sun", Season = "winter", Weather = "rain", Temperature = 6, Humidity = 90, WindSpeed = 25 }),
};
foreach (var (when, row) in hours)
{
    var result = BikeDemandModel.Predict(row);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{when}: predicted {BikeDemandModel.LabelColumnName}: {result.Score:F1}"));
}
