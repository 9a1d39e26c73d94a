using System.Text.Json.Nodes;
using MLNetTuning.Cli.Running;

namespace MLNetTuning.Tests.Cli;

/// <summary>Which trial's model an output folder's best-model.zip holds, as its summary.json says: trusted only when
/// the summary matches and is not older than the model.</summary>
public class BestModelFileTests : TempFolderTest
{
    private const string Storage = "sqlite:/tmp/studies.db";

    private string ModelPath => Path.Combine(Folder, "best-model.zip");

    [Test]
    public void AMatchingSummaryNamesItsBestTrial()
    {
        Write(Summary());
        Assert.That(BestModelFile.TrialHeld(ModelPath, "loans", Storage), Is.EqualTo(7));
    }

    [TestCase("another study")]
    [TestCase("another store")]
    [TestCase("a test refit")]
    [TestCase("another model file")]
    [TestCase("no model written")]
    [TestCase("a model newer than the summary")]
    [TestCase("no model file")]
    [TestCase("no summary")]
    [TestCase("a garbled summary")]
    [TestCase("no best trial id")]
    public void AnythingElseIsNotTrusted(string difference)
    {
        var summary = Summary();
        switch (difference)
        {
            case "another study": summary["study"] = "june"; break;
            case "another store": summary["storage"] = "sqlite:/elsewhere.db"; break;
            case "a test refit": summary["test"] = new JsonObject { ["metric"] = 0.9 }; break;
            case "another model file": summary["model"] = Path.Combine(Folder, "other.zip"); break;
            case "no model written": summary["model"] = null; break;
            case "no best trial id": summary["best"] = new JsonObject { ["trial"] = "seven" }; break;
        }

        Write(summary);
        if (difference == "a model newer than the summary")
        {
            File.SetLastWriteTimeUtc(ModelPath, DateTime.UtcNow.AddMinutes(1));
        }
        else if (difference == "no model file")
        {
            File.Delete(ModelPath);
        }
        else if (difference == "no summary")
        {
            File.Delete(Path.Combine(Folder, "summary.json"));
        }
        else if (difference == "a garbled summary")
        {
            File.WriteAllText(Path.Combine(Folder, "summary.json"), "{ \"study\": ");
        }

        Assert.That(BestModelFile.TrialHeld(ModelPath, "loans", Storage), Is.EqualTo(-1));
    }

    private JsonObject Summary() => new()
    {
        ["study"] = "loans",
        ["storage"] = Storage,
        ["best"] = new JsonObject { ["trial"] = 7 },
        ["test"] = null,
        ["model"] = Path.GetFullPath(ModelPath),
    };

    /// <summary>The model first, then the summary, as a finished run writes them.</summary>
    private void Write(JsonObject summary)
    {
        File.WriteAllBytes(ModelPath, [1, 2, 3]);
        File.SetLastWriteTimeUtc(ModelPath, DateTime.UtcNow.AddSeconds(-10));
        File.WriteAllText(Path.Combine(Folder, "summary.json"), summary.ToJsonString());
    }
}
