using System.Globalization;
using System.Text;

namespace MLNetTuning.Tests.BadInput;

/// <summary>Generated CSV files for the data checks: a learnable binary rule over two numeric columns, with the
/// faults a test asks for (late labels, missing labels, bad cells, ragged rows, colliding names).</summary>
internal static class CsvFiles
{
    /// <summary>Writes <paramref name="rows"/> rows "x1,x2,city,label" (label yes/no from x1 + x2 > 0);
    /// <paramref name="label"/> may replace a row's label (return null to keep it), <paramref name="line"/> a whole row.</summary>
    public static string Binary(string folder, string name, int rows, Func<int, string?>? label = null, Func<int, string?>? line = null, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x1,x2,city,label\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = (random.NextDouble() * 2) - 1;
            var x2 = (random.NextDouble() * 2) - 1;
            var value = label?.Invoke(i) ?? (x1 + x2 + (0.2 * random.NextDouble()) > 0.1 ? "yes" : "no");
            text.Append(line?.Invoke(i) ?? string.Create(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},c{i % 7},{value}")).Append('\n');
        }

        return Write(folder, name, text.ToString());
    }

    /// <summary>Writes rows "x1,x2,Label,Features,y": y is noise unrelated to every feature, and the feature columns
    /// named <c>Label</c> and <c>Features</c> are noise too, so only a leak of the target into the features predicts y.</summary>
    public static string Leaky(string folder, int rows)
    {
        var random = new Random(3);
        var text = new StringBuilder("x1,x2,Label,Features,y\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{random.NextDouble():F4},{random.NextDouble():F4},{random.NextDouble():F4},{random.NextDouble():F4},{random.NextDouble() * 100:F3}\n"));
        }

        return Write(folder, "leaky.csv", text.ToString());
    }

    public static string Write(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
