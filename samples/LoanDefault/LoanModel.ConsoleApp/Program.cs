// Predicts with the model LoanDefault.Training saved, through the consumption code alone (no MLNetTuning).
// Run the training first, then: dotnet run --project LoanModel.ConsoleApp
using System.Globalization;
using LoanModelLibrary;

var applicants = new (string Who, LoanModel.ModelInput Row)[]
{
    ("A 23-year-old with a 580 credit score borrowing 25,000 on 28,000 a year for a business",
        new() { Age = 23, Income = 28000, LoanAmount = 25000, CreditScore = 580, YearsEmployed = 1, Purpose = "business" }),
    ("A 45-year-old with a 760 credit score borrowing 8,000 on 60,000 a year for a car, with a co-signer",
        new() { Age = 45, Income = 60000, LoanAmount = 8000, CreditScore = 760, YearsEmployed = 15, Purpose = "car", HasCoSigner = true }),
};
foreach (var (who, row) in applicants)
{
    var result = LoanModel.Predict(row);
    Console.WriteLine(who + ":");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Predicted {LoanModel.LabelColumnName}: {result.PredictedClass} (score {result.Score:F4}, probability {result.Probability:F4})"));
}
