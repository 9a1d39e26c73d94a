using System.Buffers.Binary;
using MLNetTuning.Cli.Images;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Cli;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Visualization;
using SkiaSharp;

namespace MLNetTuning.Tests.Visualization;

/// <summary><c>report --png DIR</c>: real PNG files, of the expected size, whose marks are drawn in the charts' colours.</summary>
public class ChartImagesTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = StoreTestKit.TempFolder();

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the signature and the IHDR chunk, decodes the image, and counts pixels of <paramref name="color"/>.</summary>
    private static int PixelsOf(string path, ScottPlot.Color color)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes[..8], Is.EqualTo(PngSignature), $"{Path.GetFileName(path)} starts like a PNG");
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 12, 4), Is.EqualTo("IHDR"));
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), Is.EqualTo(ChartImages.Width));
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)), Is.EqualTo(ChartImages.Height));
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.That(bitmap, Is.Not.Null, $"{Path.GetFileName(path)} decodes");
        var target = new SKColor(color.R, color.G, color.B);
        var count = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Red == target.Red && p.Green == target.Green && p.Blue == target.Blue)
                {
                    count++;
                }
            }
        }

        return count;
    }

    [Test]
    public void Every_main_chart_of_a_hyperband_study_is_a_png_with_its_marks_drawn()
    {
        var study = SampleStudies.Hyperband();
        Assert.That(study.Trials.Any(t => t.State == TrialState.Pruned) || study.Trials.Any(t => t.IntermediateValues.Count > 1), "the sample has curves");

        var (written, leftOut) = ChartImages.Write(study, _folder);

        Assert.That(written.Select(Path.GetFileName), Is.EqualTo(new[] { "history.png", "intermediate.png", "importance.png", "edf.png", "timeline.png" }));
        Assert.That(leftOut, Is.Empty);
        Assert.That(PixelsOf(Path.Combine(_folder, "history.png"), ChartImages.CompletedColor), Is.GreaterThan(50), "completed markers");
        Assert.That(PixelsOf(Path.Combine(_folder, "history.png"), ChartImages.BestColor), Is.GreaterThan(50), "the best-so-far line");
        Assert.That(PixelsOf(Path.Combine(_folder, "intermediate.png"), ChartImages.CompletedColor), Is.GreaterThan(50), "learning curves");
        Assert.That(PixelsOf(Path.Combine(_folder, "importance.png"), ChartImages.CompletedColor), Is.GreaterThan(500), "importance bars");
        Assert.That(PixelsOf(Path.Combine(_folder, "edf.png"), ChartImages.CompletedColor), Is.GreaterThan(50), "the distribution's steps");
        Assert.That(PixelsOf(Path.Combine(_folder, "timeline.png"), ChartImages.CompletedColor), Is.GreaterThan(50), "trial bars");
    }

    [Test]
    public void A_chart_without_data_is_left_out_with_its_reason()
    {
        var failed = new TuningTrial(0, SampleStudies.Space.DecodeParameters([0.5, 0.5, 0.5]));
        failed.Restore(TrialState.Failed, null, null, "boom", failed.StartedAt.AddSeconds(1));
        var study = new StudySnapshot("broken", OptimizationDirection.Minimize, [failed], SampleStudies.Space);

        var (written, leftOut) = ChartImages.Write(study, _folder);

        Assert.That(written.Select(Path.GetFileName), Is.EqualTo(new[] { "timeline.png" }));
        Assert.That(leftOut, Has.Some.StartsWith("history.png: no completed trial"));
        Assert.That(leftOut, Has.Some.StartsWith("importance.png: Parameter importance needs at least two completed trials"));
        Assert.That(PixelsOf(written[0], ChartImages.FailedColor), Is.GreaterThan(50), "the failed trial's bar");
    }

    [Test]
    [NonParallelizable]
    public void The_report_command_writes_the_pngs_beside_the_html_and_refuses_a_folder_it_cannot_make()
    {
        var db = Path.Combine(_folder, "studies.db");
        using (var store = new SqliteTrialStore(db))
        {
            var study = SampleStudies.Hyperband();
            store.ImportStudy(new StoredStudy("hb", study.Space!.ToJsonString(), study.Direction, DateTimeOffset.UtcNow, new Dictionary<string, string>(), new Dictionary<TrialState, int>()), study.Trials);
        }

        var images = Path.Combine(_folder, "images");
        var run = CliProcess.Run(TimeSpan.FromMinutes(3), null, "report", "--storage", db, "--study", "hb", "--out", Path.Combine(_folder, "report.html"), "--png", images);

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Output, Does.Contain("Wrote 5 PNG charts"));
        Assert.That(Directory.GetFiles(images, "*.png").Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "edf.png", "history.png", "importance.png", "intermediate.png", "timeline.png" }));
        Assert.That(PixelsOf(Path.Combine(images, "history.png"), ChartImages.BestColor), Is.GreaterThan(50));

        var blocked = Path.Combine(_folder, "a-file");
        File.WriteAllText(blocked, "not a folder");
        var refused = CliProcess.Run(TimeSpan.FromMinutes(3), null, "report", "--storage", db, "--study", "hb", "--out", Path.Combine(_folder, "report2.html"), "--png", blocked);
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Error, Does.Contain("Cannot write the PNG charts").And.Not.Contain("   at "));
    }
}
