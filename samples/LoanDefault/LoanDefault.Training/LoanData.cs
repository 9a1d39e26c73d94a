using System.Globalization;
using System.Text;

namespace LoanDefault.Training;

/// <summary>
/// Makes a synthetic loan-default data set: the default risk is a non-linear function of debt-to-income,
/// credit score, employment and purpose, plus noise, so trees and linear models score differently.
/// Written once with a fixed seed, so every run tunes the same data.
/// </summary>
internal static class LoanData
{
    private static readonly string[] Purposes = ["car", "home", "education", "business", "medical"];

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("Age,Income,LoanAmount,CreditScore,YearsEmployed,Purpose,HasCoSigner,Defaulted\n");
        for (var i = 0; i < rows; i++)
        {
            var age = 21 + (random.NextDouble() * 50);
            var income = Math.Exp(10.2 + (0.5 * Normal(random)));
            var loan = income * (0.1 + (random.NextDouble() * 0.9));
            var score = Math.Clamp(650 + (70 * Normal(random)), 300, 850);
            var years = Math.Min(age - 18, random.NextDouble() * 25);
            var purpose = Purposes[random.Next(Purposes.Length)];
            var coSigner = random.NextDouble() < 0.2;
            var debtToIncome = loan / income;
            var risk = -1.5 + (3.0 * debtToIncome * debtToIncome) - ((score - 650) / 60) - (0.08 * years)
                + (purpose == "business" ? 0.8 : purpose == "education" ? 0.4 : 0) - (coSigner ? 0.9 : 0)
                + (age < 25 ? 0.5 : 0) + (0.8 * Normal(random));
            var defaulted = risk > 0;
            text.Append(CultureInfo.InvariantCulture, $"{age:F0},{income:F0},{loan:F0},{score:F0},{years:F1},{purpose},{coSigner},{defaulted}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
