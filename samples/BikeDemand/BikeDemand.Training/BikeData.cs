using System.Globalization;
using System.Text;

namespace BikeDemand.Training;

/// <summary>
/// Makes a synthetic bike-share data set: hourly rentals with commuter peaks on working days, a midday leisure
/// bump at weekends, a comfort curve in temperature, and rain, humidity and wind that keep riders home; plus
/// noise. Written once with a fixed seed, so every run tunes the same data.
/// </summary>
internal static class BikeData
{
    private static readonly string[] Weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] Seasons = ["winter", "spring", "summer", "autumn"];
    private static readonly double[] SeasonTemperature = [3, 13, 24, 12];

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("Hour,Weekday,Holiday,Season,Weather,Temperature,Humidity,WindSpeed,Rentals\n");
        for (var i = 0; i < rows; i++)
        {
            var hour = random.Next(24);
            var day = random.Next(7);
            var holiday = day < 5 && random.NextDouble() < 0.04;
            var season = random.Next(4);
            var weather = random.NextDouble() switch { < 0.55 => "clear", < 0.8 => "cloudy", _ => "rain" };
            var temperature = SeasonTemperature[season] + (4 * Math.Sin((hour - 9) * Math.PI / 12)) + (4 * Normal(random));
            var humidity = Math.Clamp(60 + (weather == "rain" ? 25 : weather == "cloudy" ? 8 : -10) + (12 * Normal(random)), 15, 100);
            var wind = Math.Abs(12 + (8 * Normal(random)));

            var workday = day < 5 && !holiday;
            var commute = workday ? (280 * Bump(hour, 8, 1.2)) + (330 * Bump(hour, 17.5, 1.6)) : 0;
            var leisure = (workday ? 50 : 210) * Bump(hour, 14, 3.2);
            var comfort = 0.35 + (0.85 * Math.Exp(-Math.Pow(temperature - 22, 2) / 160));
            var weatherFactor = weather switch { "rain" => 0.4, "cloudy" => 0.85, _ => 1.0 };
            var expected = (8 + commute + leisure) * comfort * weatherFactor * (1 - (0.003 * (humidity - 50))) * (1 - (0.008 * wind));
            var rentals = Math.Max(0, Math.Round(expected * (1 + (0.12 * Normal(random)))));
            text.Append(CultureInfo.InvariantCulture, $"{hour},{Weekdays[day]},{holiday},{Seasons[season]},{weather},{temperature:F1},{humidity:F0},{wind:F1},{rentals}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static double Bump(double hour, double peak, double width) => Math.Exp(-Math.Pow(hour - peak, 2) / (2 * width * width));

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
