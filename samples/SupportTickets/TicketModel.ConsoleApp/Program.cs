// Sends messages to a team with the model SupportTickets.Training saved, through the consumption code alone (no
// MLNetTuning.TorchSharp, no libtorch). Run the training first, then: dotnet run --project TicketModel.ConsoleApp
// Pass messages as arguments to route your own.
using System.Globalization;
using TicketModelLibrary;

string[] messages = args.Length > 0 ? args : ["hello, my headphones never arrived and tracking shows nothing", "I cannot log in, please reset my password"];
foreach (var message in messages)
{
    var row = new TicketModel.ModelInput { Text = message };
    var result = TicketModel.Predict(row);
    Console.WriteLine($"\"{message}\": predicted {TicketModel.LabelColumnName}: {result.PredictedClass}");
    foreach (var (label, score) in TicketModel.PredictAllLabels(row).Take(2))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: {score:F4}"));
    }
}
