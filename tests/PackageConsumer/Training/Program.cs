// A user's app: tunes a small network with one full Hyperband bracket (9 trials at 1 epoch, 3 at 3, 1 at 9) from the packages, saves the best model, and writes the data
// and its predictions for the scoring-only process. Prints one "check NAME: ok|FAILED" line a check; exit code 1 on a failure.
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using MLNetTuning.TorchSharp;

var output = args.Length > 0 ? args[0] : "consumer-out";
Directory.CreateDirectory(output);
var ml = new MLContext(seed: 1);
var random = new Random(7);
var rows = Enumerable.Range(0, 400).Select(_ =>
{
    var x = Enumerable.Range(0, 4).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    return new Row { X1 = x[0], X2 = x[1], X3 = x[2], X4 = x[3], Label = x[0] + (0.5f * x[1]) - x[2] + (0.2f * (float)random.NextDouble()) > 0 };
}).ToArray();
var csv = Path.Combine(output, "data.csv");
File.WriteAllLines(csv, rows.Select(r => FormattableString.Invariant($"{r.X1:R},{r.X2:R},{r.X3:R},{r.X4:R},{r.Label}")).Prepend("X1,X2,X3,X4,Label"));
var data = ml.Data.LoadFromTextFile<Row>(csv, separatorChar: ',', hasHeader: true);
var split = ml.Data.TrainTestSplit(data, 0.3, seed: 1);

var space = HyperparameterSpace.CreateBuilder()
    .Int(NeuralNetworkPresets.Units, 4, 16, logScale: true)
    .Double(NeuralNetworkPresets.LearningRate, 3e-3, 3e-2, logScale: true, defaultValue: 1e-2)
    .Int(NeuralNetworkPresets.Epochs, 2, 9, defaultValue: 5)
    .Build();
var tuning = ml.Tuning();
var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "X3", "X4")
    .Append(tuning.BinaryClassification.NeuralNetwork(space: space));
var result = tuning.CreateExperiment(pipeline, BinaryTuningMetric.AreaUnderRocCurve, options: new() { MaxTrials = 13, Seed = 3 })
    .SetTrainValidationData(split.TrainSet, split.TestSet)
    .SetTuner(tuning.Tuners.Hyperband(new() { MinBudget = 1, MaxBudget = 9, MaxBrackets = 1 }))
    .Run();
Console.WriteLine(result.FormatLeaderboard());

var failures = 0;
void Check(string name, bool ok, string detail)
{
    Console.WriteLine($"check {name}: {(ok ? "ok" : "FAILED")} ({detail})");
    failures += ok ? 0 : 1;
}

Check("every-trial-completed", result.Trials.Count > 0 && result.Trials.All(t => t.State == TrialState.Completed),
    $"{result.Trials.Count} trials: {string.Join(", ", result.Trials.GroupBy(t => t.State).Select(g => $"{g.Count()} {g.Key}"))}; {result.FirstError}");
var auc = result.Trials.Where(t => t.State == TrialState.Completed).Select(t => t.Value ?? 0).DefaultIfEmpty(0).Max();
Check("best-auc-above-0.9", auc > 0.9, $"best AreaUnderRocCurve {auc:F4}");
if (result.BestModel is { } model)
{
    ml.Model.Save(model, data.Schema, Path.Combine(output, "model.zip"));
    var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).Select(s => s.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    File.WriteAllLines(Path.Combine(output, "predictions.txt"), scores);
}

// The yardstick for the scoring app's size: the same app scoring a FastTree model.
var features = ml.Transforms.Concatenate("Features", "X1", "X2", "X3", "X4");
ml.Model.Save(features.Append(ml.BinaryClassification.Trainers.FastTree(numberOfTrees: 20)).Fit(data), data.Schema, Path.Combine(output, "fasttree-model.zip"));

Check("model-saved", File.Exists(Path.Combine(output, "model.zip")), Path.Combine(output, "model.zip"));
return failures == 0 ? 0 : 1;

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
