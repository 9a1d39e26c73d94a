using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>
/// The Debian 12 native fix (build/torchsharp-native): libtorch loads in this test output, the output copy of
/// libLibTorchSharp.so is patched where the system libstdc++ lacks GLIBCXX_3.4.32, and the patch script is
/// idempotent. The last two need Linux x64 (elsewhere the fix does nothing and they are ignored).
/// </summary>
public class TorchSharpNativeFixTests
{
    private const string NeededVersion = "GLIBCXX_3.4.32";

    [Test]
    public void ATorchOperationRuns()
    {
        using var sum = torch.ones(2, 3).sum();
        Assert.That(sum.item<float>(), Is.EqualTo(6f));
    }

    [Test]
    public void TheOutputCopyIsPatchedExactlyWhenTheSystemLibstdcxxLacksTheVersion()
    {
        RequireLinuxX64();
        var library = Path.Combine(TestContext.CurrentContext.TestDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.That(File.Exists(library), Is.True, $"{library} is missing from the test output");
        var versions = Run("readelf", $"-V \"{library}\"").Output;
        var line = versions.Split('\n').Single(l => l.Contains($"Name: {NeededVersion} ", StringComparison.Ordinal));

        if (SystemLibstdcxxProvidesVersion())
        {
            Assert.That(line, Does.Not.Contain("WEAK"), "a modern libstdc++ needs no patch, and the build must leave the library alone");
        }
        else
        {
            Assert.That(line, Does.Contain("Flags: WEAK"));
            Assert.That(Run("readelf", $"-d \"{library}\"").Output, Does.Contain("libiosbaseinit_shim.so"));
        }
    }

    [Test]
    public void ThePatchScriptIsIdempotent()
    {
        RequireLinuxX64();
        var script = Path.Combine(RepositoryFiles.RepositoryRoot(), "build", "torchsharp-native", "patch-libtorchsharp.sh");
        var original = Path.Combine(NuGetPackages(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(original))
        {
            Assert.Ignore($"{original} is not in the NuGet cache.");
        }

        var directory = Directory.CreateTempSubdirectory("nativefix-").FullName;
        try
        {
            // The script refuses paths in the NuGet cache, so it patches a copy; FORCE patches even on a modern libstdc++.
            // Its load check needs libtorch beside the copy: link the test output's libraries in.
            var copy = Path.Combine(directory, "libLibTorchSharp.so");
            File.Copy(original, copy);
            var natives = Path.Combine(TestContext.CurrentContext.TestDirectory, "runtimes", "linux-x64", "native");
            foreach (var library in Directory.GetFiles(natives, "*.so*").Where(f => Path.GetFileName(f) is not ("libLibTorchSharp.so" or "libiosbaseinit_shim.so")))
            {
                File.CreateSymbolicLink(Path.Combine(directory, Path.GetFileName(library)), library);
            }

            var first = Run("bash", $"\"{script}\" \"{copy}\"", ("TORCHSHARP_NATIVE_FIX_FORCE", "1"));
            Assert.That(first.ExitCode, Is.Zero, first.Output);
            var patched = Hash(copy);
            var second = Run("bash", $"\"{script}\" \"{copy}\"", ("TORCHSHARP_NATIVE_FIX_FORCE", "1"));

            Assert.That(second.ExitCode, Is.Zero, second.Output);
            Assert.That(second.Output, Does.Contain("already patched"));
            Assert.That(Hash(copy), Is.EqualTo(patched), "a second run must not change the file");
            Assert.That(patched, Is.Not.EqualTo(Hash(original)));
            Assert.That(Run("readelf", $"-V \"{copy}\"").Output, Does.Match($"Name: {NeededVersion.Replace(".", "\\.", StringComparison.Ordinal)}\\s+Flags: WEAK"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void RequireLinuxX64()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Assert.Ignore("The native fix applies to Linux x64 only.");
        }
    }

    private static bool SystemLibstdcxxProvidesVersion()
    {
        var line = Run("ldconfig", "-p").Output.Split('\n').First(l => l.Contains("libstdc++.so.6 ", StringComparison.Ordinal) && l.Contains("x86-64", StringComparison.Ordinal));
        var path = line[(line.LastIndexOf("=> ", StringComparison.Ordinal) + 3)..].Trim();
        var needle = Encoding.ASCII.GetBytes(NeededVersion + "\0");
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }

    private static string NuGetPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static (int ExitCode, string Output) Run(string program, string arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
