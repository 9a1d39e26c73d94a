// A scoring-only app: loads the model the training consumer saved and predicts the same values, without TorchSharp.
// Arguments: the training consumer's output folder. Prints "check NAME: ok|FAILED" lines; exit code 1 on a failure.
using System.Globalization;
using Microsoft.ML;
#if !FASTTREE
using MLNetTuning.TorchSharp;
#endif

var folder = args.Length > 0 ? args[0] : "consumer-out";
var ml = new MLContext();
var data = ml.Data.LoadFromTextFile<Row>(Path.Combine(folder, "data.csv"), separatorChar: ',', hasHeader: true);
#if FASTTREE
var fastTree = ml.Model.Load(Path.Combine(folder, "fasttree-model.zip"), out _);
Console.WriteLine($"FastTree scored {ml.Data.CreateEnumerable<Scored>(fastTree.Transform(data), reuseRowObject: false).Count()} rows");
return 0;
#else
var failures = 0;
void Check(string name, bool ok, string detail)
{
    Console.WriteLine($"check {name}: {(ok ? "ok" : "FAILED")} ({detail})");
    failures += ok ? 0 : 1;
}

var loaded = ml.Model.LoadTunedModel(Path.Combine(folder, "model.zip"), out _);
var predicted = ml.Data.CreateEnumerable<Scored>(loaded.Transform(data), reuseRowObject: false).Select(s => s.Score).ToArray();
var expected = File.ReadAllLines(Path.Combine(folder, "predictions.txt")).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
var mismatches = predicted.Zip(expected).Count(p => Math.Abs(p.First - p.Second) > 1e-6);
Check("scoring-predicts-the-same", predicted.Length == expected.Length && predicted.Length > 0 && mismatches == 0,
    $"{predicted.Length} predictions, {expected.Length} expected, {mismatches} differ");
var torch = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true).ToList();
var natives = Directory.EnumerateFiles(AppContext.BaseDirectory, "*torch*", SearchOption.AllDirectories).ToList();
Check("scoring-without-torchsharp", torch.Count == 0 && natives.Count == 0, $"{torch.Count} TorchSharp assemblies loaded, {natives.Count} torch files in the output");
return failures == 0 ? 0 : 1;
#endif

internal sealed class Row
{
    [Microsoft.ML.Data.LoadColumn(0)] public float X1 { get; set; }
    [Microsoft.ML.Data.LoadColumn(1)] public float X2 { get; set; }
    [Microsoft.ML.Data.LoadColumn(2)] public float X3 { get; set; }
    [Microsoft.ML.Data.LoadColumn(3)] public float X4 { get; set; }
    [Microsoft.ML.Data.LoadColumn(4)] public bool Label { get; set; }
}

internal sealed class Scored
{
    public float Score { get; set; }
}
