using System.Reflection;
using System.Text;

namespace MLNetTuning.Tests.Compatibility;

/// <summary>
/// The public surface of each library assembly against its committed baseline (PublicApi/ASSEMBLY.txt), so that a
/// change to the public API is deliberate: refresh the baselines with <c>bash scripts/update-public-api.sh</c> and
/// review their diff (docs/versioning.md says which version bump it needs).
/// </summary>
public class PublicApiTests
{
    private const string UpdateVariable = "MLNETTUNING_UPDATE_PUBLIC_API";

    private static readonly string[] Libraries =
        ["MLNetTuning", "MLNetTuning.Sqlite", "MLNetTuning.Postgres", "MLNetTuning.TorchSharp", "MLNetTuning.TorchSharp.Scoring", "MLNetTuning.Visualization", "MLNetTuning.Interactive"];

    [TestCaseSource(nameof(Libraries))]
    public void ThePublicSurfaceMatchesItsBaseline(string assemblyName)
    {
        var actual = PublicSurface.Describe(Assembly.Load(assemblyName));
        var baseline = Path.Combine(RepositoryFiles.RepositoryRoot(), "tests", "MLNetTuning.Tests", "Compatibility", "PublicApi", $"{assemblyName}.txt");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(baseline, string.Join('\n', actual) + "\n");
            Assert.Pass($"wrote {baseline}");
        }

        Assert.That(File.Exists(baseline), Is.True, $"{baseline} is missing: run `bash scripts/update-public-api.sh`.");
        var expected = File.ReadAllLines(baseline).Where(l => l.Length > 0).ToList();
        var added = actual.Except(expected).ToList();
        var removed = expected.Except(actual).ToList();
        var report = new StringBuilder($"The public API of {assemblyName} changed. If that is deliberate, run `bash scripts/update-public-api.sh` and commit the baseline.\n");
        report.AppendJoin('\n', added.Take(40).Select(l => "+ " + l)).Append('\n').AppendJoin('\n', removed.Take(40).Select(l => "- " + l));
        Assert.That(added.Count + removed.Count, Is.Zero, report.ToString());
    }

    [Test]
    public void TheDescriptionSeesSignatureChanges()
    {
        var surface = PublicSurface.Describe(typeof(PublicApiTests).Assembly);
        Assert.That(surface, Has.Some.Contains("MLNetTuning.Tests.Compatibility.PublicApiTests"));
        Assert.That(surface, Has.Some.EqualTo("  method MLNetTuning.Tests.Compatibility.PublicApiTests.ThePublicSurfaceMatchesItsBaseline(String assemblyName) : Void"));
        Assert.That(surface, Has.None.Contains("UpdateVariable"), "private members are not public API");
    }
}
