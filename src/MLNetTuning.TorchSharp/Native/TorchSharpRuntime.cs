using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// Loads TorchSharp's native backend before its first use, wherever the pack runs (an app, the <c>mlnet-tune</c>
/// tool, a notebook's <c>#r "nuget:"</c>), and turns a failure into a message that names the missing library.
/// </summary>
/// <remarks>
/// On Linux x64 with a libstdc++ older than GCC 13's (Debian 12), TorchSharp 0.107's libLibTorchSharp.so does not
/// load: it needs <c>GLIBCXX_3.4.32</c> for one symbol it never calls. There this class copies the library into a
/// per-user cache folder (beside links to its libtorch siblings), marks that version optional in the copy
/// (<see cref="ElfVersionPatch"/>), loads it, and points TorchSharp's <c>LibTorchSharp</c> imports at it. Where the
/// system library has the version, or on other systems, it does nothing. The trainers call it; call it yourself
/// only before using TorchSharp directly.
/// </remarks>
public static class TorchSharpRuntime
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const string LibraryFile = "libLibTorchSharp.so";
    private static readonly Lazy<Exception?> Outcome = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure libtorch is loaded and usable; does the work once per process.</summary>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded; the message names the missing library or symbol and the fix.</exception>
    public static void EnsureLoaded()
    {
        if (Outcome.Value is { } error)
        {
            throw new InvalidOperationException(error.Message, error);
        }
    }

    private static Exception? Load()
    {
        string? patched = null;
        try
        {
            if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && !SystemLibstdcxxHas(MissingVersion))
            {
                patched = PatchedCopy();
                if (patched is not null)
                {
                    Route(NativeLibrary.Load(patched), Path.GetDirectoryName(patched)!);
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException or BadImageFormatException)
        {
            return new InvalidOperationException(
                $"TorchSharp's native library could not be prepared for this system ({error.Message}). libLibTorchSharp.so needs {MissingVersion} " +
                $"from libstdc++, which this system lacks; MLNetTuning loads a patched copy from {patched ?? CacheRoot()}. Make that folder writable, " +
                "or install a libstdc++ from GCC 13 or later.", error);
        }

        return Probe();
    }

    /// <summary>The first use of TorchSharp, with its failure explained.</summary>
    private static InvalidOperationException? Probe()
    {
        // TorchSharp writes its loader trace to stdout when the load fails: keep it off the app's output.
        var output = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            using var one = torch.ones(1);
            return null;
        }
        catch (TypeInitializationException error)
        {
            return new InvalidOperationException(Explain(error, NativeError()), error);
        }
        finally
        {
            Console.SetOut(output);
        }
    }

    /// <summary>
    /// The message for a failed first use of TorchSharp: the first line of TorchSharp's own error (not its trace),
    /// the backend package when none is referenced, and what the dynamic loader said.
    /// </summary>
    internal static string Explain(TypeInitializationException error, string loaderMessage)
    {
        var cause = error.InnerException?.Message ?? error.Message;
        var trace = cause.IndexOf("Trace from LoadNativeBackend", StringComparison.Ordinal);
        var summary = string.Join(' ', (trace >= 0 ? cause[..trace] : cause.Split('\n')[0]).Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        // TorchSharp blames a missing backend package for any load failure; the loader's message tells the real cause.
        var backend = (cause.Contains("doesn't contain a reference", StringComparison.Ordinal) || cause.Contains("is not restored", StringComparison.Ordinal))
            && !loaderMessage.Contains("GLIBCXX", StringComparison.Ordinal)
            ? " Add a TorchSharp backend package to the app: `dotnet add package TorchSharp-cpu` (or a CUDA one)."
            : string.Empty;
        return $"libtorch could not be loaded, so neural networks cannot train: {summary}{backend} {loaderMessage}".TrimEnd();
    }

    /// <summary>Why libLibTorchSharp.so does not load, as the dynamic loader says it.</summary>
    private static string NativeError()
    {
        if (!OperatingSystem.IsLinux())
        {
            return string.Empty;
        }

        foreach (var candidate in Candidates(LibraryFile))
        {
            _ = dlerror(); // binds the dlerror stub now, so that binding it later cannot clear dlopen's message
            if (dlopen(candidate, 2) is var handle && handle != IntPtr.Zero)
            {
                return string.Empty;
            }

            var message = Marshal.PtrToStringUTF8(dlerror());
            return $"The loader says: {message}." + (message?.Contains(MissingVersion, StringComparison.Ordinal) == true
                ? $" This libstdc++ lacks {MissingVersion}; the patched copy MLNetTuning makes under {CacheRoot()} fixes that unless the folder cannot be written."
                : string.Empty);
        }

        return $"No {LibraryFile} was found beside the app or in the NuGet cache.";
    }

    private static bool SystemLibstdcxxHas(string version)
    {
        var library = NativeLibrary.Load("libstdc++.so.6");
        return dlvsym(library, "_ZSt21ios_base_library_initv", version) != IntPtr.Zero;
    }

    /// <summary>The patched copy in the cache (made once per original), or null when no original is found or it needs no patch.</summary>
    private static string? PatchedCopy()
    {
        var original = Candidates(LibraryFile).FirstOrDefault();
        var libtorch = original is null ? null : Candidates("libtorch_cpu.so").Prepend(Path.Combine(Path.GetDirectoryName(original)!, "libtorch_cpu.so")).FirstOrDefault(File.Exists);
        if (original is null || libtorch is null)
        {
            return null;
        }

        var image = File.ReadAllBytes(original);
        if (!ElfVersionPatch.NeedsVersionStrictly(image, MissingVersion))
        {
            return null;
        }

        var key = Convert.ToHexString(SHA256.HashData([.. image, .. System.Text.Encoding.UTF8.GetBytes(libtorch)]))[..16].ToLowerInvariant();
        var folder = Directory.CreateDirectory(Path.Combine(CacheRoot(), key)).FullName;
        var target = Path.Combine(folder, LibraryFile);
        if (File.Exists(target) && File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
        {
            return target;
        }

        // libLibTorchSharp.so finds libtorch through RUNPATH $ORIGIN: link the siblings into the cache folder.
        foreach (var sibling in Directory.EnumerateFiles(Path.GetDirectoryName(libtorch)!, "*.so*"))
        {
            var link = Path.Combine(folder, Path.GetFileName(sibling));
            if (Path.GetFileName(sibling) != LibraryFile && !File.Exists(link))
            {
                File.Delete(link); // a link left dangling by a deleted app folder
                try
                {
                    File.CreateSymbolicLink(link, sibling);
                }
                catch (IOException) when (File.Exists(link))
                {
                    // another process made it first
                }
            }
        }

        ElfVersionPatch.MakeVersionOptional(image, MissingVersion);
        var temporary = $"{target}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, image);
        File.Move(temporary, target, overwrite: true);
        return target;
    }

    /// <summary>Makes TorchSharp's <c>LibTorchSharp</c> (and <c>torch_cpu</c>) imports and loads resolve to the cache folder.</summary>
    private static void Route(IntPtr libTorchSharp, string folder)
    {
        IntPtr Resolve(string name) => Path.GetFileNameWithoutExtension(name) switch
        {
            var n when n.EndsWith("LibTorchSharp", StringComparison.Ordinal) => libTorchSharp,
            "torch_cpu" or "libtorch_cpu" => NativeLibrary.TryLoad(Path.Combine(folder, "libtorch_cpu.so"), out var handle) ? handle : IntPtr.Zero,
            _ => IntPtr.Zero,
        };

        var torchSharp = typeof(torch).Assembly;
        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) => Resolve(name));
        }
        catch (InvalidOperationException)
        {
            // The app set its own resolver on TorchSharp: fall back to the event raised after normal probing fails.
            System.Runtime.Loader.AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) => assembly == torchSharp ? Resolve(name) : IntPtr.Zero;
        }
    }

    /// <summary>Where a native file of TorchSharp may be: the app's native folders, then the NuGet cache (notebooks, tools run from the cache).</summary>
    private static IEnumerable<string> Candidates(string file)
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
        {
            folders.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        folders.Add(AppContext.BaseDirectory);
        folders.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        var assemblyFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyFolder))
        {
            folders.Add(Path.Combine(assemblyFolder, "..", "..", "runtimes", "linux-x64", "native"));
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        folders.Add(Path.Combine(packages, "torchsharp", version ?? "", "runtimes", "linux-x64", "native"));
        // A restore may take TorchSharp from a fallback folder (a notebook kernel with its own NUGET_PACKAGES):
        // the backend package then sits beside it, in the folder that holds torchsharp/<version>/lib/<tfm>.
        var roots = new List<string> { packages };
        if (!string.IsNullOrEmpty(assemblyFolder))
        {
            roots.Add(Path.GetFullPath(Path.Combine(assemblyFolder, "..", "..", "..", "..")));
        }

        foreach (var root in roots.Distinct().Select(r => Path.Combine(r, "libtorch-cpu-linux-x64")).Where(Directory.Exists))
        {
            folders.AddRange(Directory.EnumerateDirectories(root).OrderDescending().Select(d => Path.Combine(d, "runtimes", "linux-x64", "native")));
        }

        return folders.Select(f => Path.GetFullPath(Path.Combine(f, file))).Distinct().Where(File.Exists);
    }

    private static string CacheRoot()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "mlnettuning", "torchsharp-native");
    }

    [DllImport("libc.so.6", EntryPoint = "dlvsym")]
    private static extern IntPtr dlvsym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol, [MarshalAs(UnmanagedType.LPUTF8Str)] string version);

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int flags);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern IntPtr dlerror();
}
