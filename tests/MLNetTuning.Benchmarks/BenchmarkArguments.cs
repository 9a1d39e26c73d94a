using System.Globalization;

namespace MLNetTuning.Benchmarks;

/// <summary>`--name value` pairs and bare flags after the command word.</summary>
public sealed class BenchmarkArguments
{
    /// <summary>Refuses an option value that breaks its rule, naming the option.</summary>
    public static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"--{name} {value}: {rule}.");
        }
    }

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public BenchmarkArguments(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{list[i]}': options are written --name value.");
            }

            var name = list[i][2..];
            var value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : "true";
            _values[name] = value;
        }
    }

    public string String(string name, string fallback)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    public string? OptionalString(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public int Int(string name, int fallback)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v)
            ? int.Parse(v, CultureInfo.InvariantCulture)
            : fallback;
    }

    public double Double(string name, double fallback)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v)
            ? double.Parse(v, CultureInfo.InvariantCulture)
            : fallback;
    }

    /// <summary>
    /// The JSON file to write: `--out FILE`, or out/benchmarks/<paramref name="defaultFileName"/>; its folder is created,
    /// so a fresh checkout can write anywhere under out/.
    /// </summary>
    public string OutputPath(string defaultFileName)
    {
        var path = String("out", Path.Combine("out", "benchmarks", defaultFileName));
        CreateFolderOf(path);
        return path;
    }

    /// <summary>Creates the folder of `--out` when it is given, for every command (whether or not it calls <see cref="OutputPath"/>).</summary>
    public void CreateOutputFolder()
    {
        if (_values.TryGetValue("out", out var path) && path != "true")
        {
            CreateFolderOf(path);
        }
    }

    private static void CreateFolderOf(string path) => Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

    /// <summary>A bare flag (`--name`, or `--name true|false`).</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var v))
        {
            return false;
        }

        Require(bool.TryParse(v, out var flag), name, v, "is a flag: write --" + name + " alone, or --" + name + " true|false");
        return flag;
    }

    /// <summary>Throws for options no command read, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
