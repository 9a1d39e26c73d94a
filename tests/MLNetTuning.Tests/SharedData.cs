using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Tests;

/// <summary>The real data sets in ../shared/data, found from the test directory upwards.</summary>
internal static class SharedData
{
    public static string PathOf(string file)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Ignore($"shared/data/{file} is not beside this checkout.");
        return "";
    }

    /// <summary>Iris: key label "Label" (from 0,1,2), "Features" of 4.</summary>
    public static IDataView Iris(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label")
        .Fit(Load(ml, "iris.txt", 4, labelKind: DataKind.Single, hasHeader: true))
        .Transform(Load(ml, "iris.txt", 4, labelKind: DataKind.Single, hasHeader: true));

    /// <summary>Housing: Single label "Label", "Features" of 13.</summary>
    public static IDataView Housing(MLContext ml) => Load(ml, "housing.txt", 13, DataKind.Single, hasHeader: true);

    /// <summary>Breast cancer: Boolean label "Label", "Features" of 9 (missing values as NaN, replaced by means).</summary>
    public static IDataView BreastCancer(MLContext ml)
    {
        var raw = Load(ml, "breast-cancer.txt", 9, DataKind.Boolean, hasHeader: false);
        return ml.Transforms.ReplaceMissingValues("Features").Fit(raw).Transform(raw);
    }

    private static IDataView Load(MLContext ml, string file, int features, DataKind labelKind, bool hasHeader) =>
        ml.Data.LoadFromTextFile(
            PathOf(file),
            [new TextLoader.Column("Label", labelKind, 0), new TextLoader.Column("Features", DataKind.Single, 1, features)],
            separatorChar: '\t',
            hasHeader: hasHeader);
}
