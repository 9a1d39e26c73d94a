using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>
/// The scoring package's one-call load (<c>mlContext.Model.LoadTunedModel</c>) and the managed native fix's ELF
/// patch (<see cref="ElfVersionPatch"/>), which makes libLibTorchSharp.so load without GLIBCXX_3.4.32.
/// </summary>
public class TunedModelLoadingTests
{
    [Test]
    public void LoadTunedModelReadsANetworkInAFreshContextWithNothingRegistered()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(SharedData.BreastCancer(ml), 0.3, seed: 2);
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(new NeuralNetworkBinaryTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 3, Seed = 2 })
            .Fit(split.TrainSet);
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"tuned-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, split.TrainSet.Schema, path);
            var fresh = new MLContext();
            Assert.That(() => fresh.Model.Load(path, out _), Throws.Exception, "a fresh context cannot read the network without registration");

            var loaded = new MLContext().Model.LoadTunedModel(path, out var schema);

            Assert.That(schema.Select(c => c.Name), Is.EqualTo(split.TrainSet.Schema.Select(c => c.Name)));
            var before = ml.Data.CreateEnumerable<Scored>(model.Transform(split.TestSet), reuseRowObject: false).Select(s => s.Score);
            var after = ml.Data.CreateEnumerable<Scored>(loaded.Transform(split.TestSet), reuseRowObject: false).Select(s => s.Score);
            Assert.That(after, Is.EqualTo(before));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoadTunedModelNamesAMissingFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new MLContext().Model.LoadTunedModel("no-such-model.zip", out _));
        Assert.That(error!.Message, Does.Contain("no-such-model.zip"));
    }

    [Test]
    public void ThePatchMakesTheMissingVersionWeakAndItsSymbolUnversioned()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Assert.Ignore("libLibTorchSharp.so is a Linux x64 file.");
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var original = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(original))
        {
            Assert.Ignore($"{original} is not in the NuGet cache.");
        }

        var image = File.ReadAllBytes(original);
        Assert.That(ElfVersionPatch.NeedsVersionStrictly(image, "GLIBCXX_3.4.32"), Is.True);

        var weakened = ElfVersionPatch.MakeVersionOptional(image, "GLIBCXX_3.4.32");

        Assert.That(weakened, Is.EqualTo(new[] { "_ZSt21ios_base_library_initv" }));
        Assert.That(ElfVersionPatch.NeedsVersionStrictly(image, "GLIBCXX_3.4.32"), Is.False);
        Assert.That(image.Length, Is.EqualTo(new FileInfo(original).Length));
        var copy = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"patched-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(copy, image);
        try
        {
            Assert.That(Readelf("-V", copy), Does.Match(@"Name: GLIBCXX_3\.4\.32\s+Flags: WEAK"));
            var symbol = Readelf("--dyn-syms -W", copy).Split('\n').Single(l => l.EndsWith(" _ZSt21ios_base_library_initv", StringComparison.Ordinal));
            Assert.That(symbol, Does.Contain(" WEAK "));
            Assert.That(Readelf("--dyn-syms -W", original), Does.Contain("_ZSt21ios_base_library_initv@GLIBCXX_3.4.32"));
        }
        finally
        {
            File.Delete(copy);
        }

        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MakeVersionOptional(image, "GLIBCXX_9.9.9"));
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MakeVersionOptional(new byte[100], "GLIBCXX_3.4.32"));
    }

    private static string Readelf(string options, string file)
    {
        using var process = Process.Start(new ProcessStartInfo("readelf", $"{options} \"{file}\"") { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private sealed class Scored
    {
        public float Score { get; set; }
    }
}
