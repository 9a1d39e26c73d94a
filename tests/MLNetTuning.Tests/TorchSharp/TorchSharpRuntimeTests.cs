using MLNetTuning.TorchSharp;
using TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>The managed native loader: it loads libtorch here, and a failed load is explained in one short message.</summary>
public class TorchSharpRuntimeTests
{
    private const string TorchSharpMessage =
        "This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.0.\n" +
        "Consider referencing one of the combination packages TorchSharp-cpu, TorchSharp-cuda-linux, TorchSharp-cuda-windows ...\n" +
        "Trace from LoadNativeBackend:\n    TorchSharp: LoadNativeBackend: Initialising native backend\n    Step 1 - First try regular load";

    [Test]
    public void EnsureLoadedLeavesTorchUsable()
    {
        TorchSharpRuntime.EnsureLoaded();
        TorchSharpRuntime.EnsureLoaded();
        using var sum = torch.ones(3).sum();
        Assert.That(sum.item<float>(), Is.EqualTo(3f));
    }

    [Test]
    public void AMissingBackendIsNamedWithThePackageToAdd()
    {
        var message = TorchSharpRuntime.Explain(Failure(), "No libLibTorchSharp.so was found beside the app or in the NuGet cache.");

        Assert.That(message, Does.Contain("dotnet add package TorchSharp-cpu"));
        Assert.That(message, Does.Contain("No libLibTorchSharp.so was found"));
        Assert.That(message, Does.Not.Contain("Trace from LoadNativeBackend"), "TorchSharp's trace stays out of the message");
        Assert.That(message, Does.Contain("Consider referencing one of the combination packages"), "TorchSharp's own explanation is kept");
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void AMissingLibstdcxxVersionIsNamedInsteadOfTheMisleadingBackendAdvice()
    {
        var loader = "The loader says: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by libLibTorchSharp.so).";

        var message = TorchSharpRuntime.Explain(Failure(), loader);

        Assert.That(message, Does.Contain("GLIBCXX_3.4.32"));
        Assert.That(message, Does.Not.Contain("dotnet add package"));
    }

    [Test]
    public void ANotRestoredBackendAlsoGetsThePackageToAdd()
    {
        var notRestored = "The libtorch-cpu-linux-x64 package version 2.10.0.0 is not restored on this system. If using F# Interactive or .NET Interactive you may need to add a reference to this package, e.g. \n    #r \"nuget: libtorch-cpu-linux-x64, 2.10.0.0\". Trace from LoadNativeBackend:\n\nTorchSharp: LoadNativeBackend: Initialising";

        var message = TorchSharpRuntime.Explain(new TypeInitializationException("TorchSharp.torch", new NotSupportedException(notRestored)), string.Empty);

        Assert.That(message, Does.Contain("#r \"nuget: libtorch-cpu-linux-x64, 2.10.0.0\"."));
        Assert.That(message, Does.Contain("dotnet add package TorchSharp-cpu"));
        Assert.That(message, Does.Not.Contain("Initialising"));
    }

    private static TypeInitializationException Failure() => new("TorchSharp.torch", new NotSupportedException(TorchSharpMessage));
}
