using System.Globalization;
using System.Text;

namespace ActivityRecognition.Training;

/// <summary>
/// Makes a synthetic fitness-tracker data set: one row per minute, with the motion, heart rate and speed of
/// sitting, walking, running and cycling. The classes overlap (a bus ride is fast and still, like cycling; a fit
/// rider's heart rate is a jogger's; GPS drops out), so no single reading separates them. Written once with a
/// fixed seed, so every run tunes the same data.
/// </summary>
internal static class ActivityData
{
    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("AccelerationSd,Cadence,HeartRate,Speed,WristStillness,Activity\n");
        for (var i = 0; i < rows; i++)
        {
            var restingHeartRate = 65 + (8 * Normal(random));
            var draw = random.NextDouble();
            var activity = draw switch { < 0.3 => "sitting", < 0.6 => "walking", < 0.8 => "running", _ => "cycling" };
            var (sd, cadence, effort, speed, stillness) = activity switch
            {
                "sitting" => (0.06 + (0.04 * Normal(random)), 0.2 + (0.3 * Normal(random)), 5 + (6 * Normal(random)),
                    random.NextDouble() < 0.15 ? 35 + (12 * Normal(random)) : 0.8 * Normal(random), 0.6 + (0.25 * Normal(random))),
                "walking" => (0.35 + (0.1 * Normal(random)), 1.8 + (0.15 * Normal(random)), 25 + (10 * Normal(random)), 4.8 + (0.9 * Normal(random)), 0.15 + (0.1 * Normal(random))),
                "running" => (0.9 + (0.2 * Normal(random)), 2.7 + (0.2 * Normal(random)), 80 + (15 * Normal(random)), 10.5 + (2 * Normal(random)), 0.05 + (0.05 * Normal(random))),
                _ => (0.25 + (0.12 * Normal(random)), 1.3 + (0.3 * Normal(random)), 55 + (15 * Normal(random)), 19 + (6 * Normal(random)), 0.75 + (0.15 * Normal(random))),
            };
            if (random.NextDouble() < 0.03)
            {
                speed = 0; // GPS lost.
            }

            if (random.NextDouble() < 0.02)
            {
                activity = draw < 0.5 ? "walking" : "sitting"; // A mislabelled minute.
            }

            text.Append(CultureInfo.InvariantCulture, $"{Math.Abs(sd):F3},{Math.Abs(cadence):F2},{restingHeartRate + effort:F0},{Math.Abs(speed):F1},{Math.Clamp(stillness, 0, 1):F2},{activity}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
