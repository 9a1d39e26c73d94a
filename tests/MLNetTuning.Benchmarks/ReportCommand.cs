using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Visualization;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `report --trials 10000 --out FILE.json`: seconds to build the HTML report of a study of that many trials and
/// the file's size (target: ≤ 10 s and ≤ 20 MB at 10,000 trials). The study is generated: six parameters (a log
/// range, an integer, a choice, a conditional pair), four workers, 5 learning-curve steps per trial, rung and
/// bracket attributes, 80 % completed, 12 % pruned, 8 % failed; the time covers every chart, fANOVA included.
/// </summary>
public sealed class ReportCommand : IBenchmarkCommand
{
    public string Name => "report";

    public string Summary => "seconds and MB of the HTML report of a generated study: --trials 10000 --seed 0 --out FILE.json";

    public int Run(BenchmarkArguments arguments)
    {
        var count = arguments.Int("trials", 10000);
        var seed = arguments.Int("seed", 0);
        var output = arguments.String("out", Path.Combine("out", "benchmarks", "report.json"));
        arguments.RejectUnknown();
        BenchmarkArguments.Require(count >= 1, "trials", count, "at least 1");

        var space = HyperparameterSpace.CreateBuilder()
            .Double("lr", 1e-5, 1, logScale: true)
            .Int("depth", 1, 12)
            .Choice("optimizer", "adam", "sgd", "rmsprop")
            .Double("dropout", 0, 0.5)
            .Conditional("model", c => c.Branch("tree", b => b.Int("leaves", 2, 128)).Branch("linear", b => b.Double("l2", 1e-6, 1, logScale: true)))
            .Build();
        var study = new StudySnapshot("benchmark", OptimizationDirection.Minimize, Generate(space, count, seed), space);

        // No warm-up: `mlnet-tune report` builds one report per process, so JIT time is part of what a user waits for.
        var clock = Stopwatch.StartNew();
        var html = StudyReport.Build(study);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var file = Path.Combine(Path.GetTempPath(), $"mlnettuning-report-{Environment.ProcessId}.html");
        File.WriteAllText(file, html);
        var totalSeconds = clock.Elapsed.TotalSeconds;
        var megabytes = new FileInfo(file).Length / 1e6;
        File.Delete(file);
        var chartsClock = Stopwatch.StartNew();
        var (charts, leftOut) = StudyReport.Charts(study);
        var chartsSeconds = chartsClock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"choosing and drawing the charts again (warm): {chartsSeconds:F2} s"));
        var chartSeconds = new Dictionary<string, double>();
        void Time(string name, Action draw)
        {
            var watch = Stopwatch.StartNew();
            draw();
            chartSeconds[name] = Math.Round(watch.Elapsed.TotalSeconds, 3);
        }

        Time("snapshot", () => _ = new StudySnapshot("again", OptimizationDirection.Minimize, study.Trials, space));
        Time("history", () => StudyCharts.OptimizationHistory(study)?.ToJson());
        Time("intermediate", () => StudyCharts.IntermediateValues(study)?.ToJson());
        Time("brackets", () => StudyCharts.HyperbandBrackets(study)?.ToJson());
        Time("importance", () => StudyCharts.Importance(study, new Importance.ParameterImportanceOptions { NumberOfTrees = 32, MaxTrials = 1000 }).Chart?.ToJson());
        Time("parallel", () => StudyCharts.ParallelCoordinates(study)?.ToJson());
        Time("slice", () => StudyCharts.Slice(study)?.ToJson());
        Time("contour", () => StudyCharts.Contour(study, "lr", "depth")?.ToJson());
        Time("edf", () => StudyCharts.EmpiricalDistribution(study)?.ToJson());
        Time("timeline", () => StudyCharts.Timeline(study)?.ToJson());
        Console.WriteLine("seconds per chart: " + string.Join(", ", chartSeconds.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F2}"))));

        Console.WriteLine($"{"trials",8}{"build s",10}{"build+write s",15}{"MB",8}{"charts",8}  target: <= 10 s, <= 20 MB");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,8}{buildSeconds,10:F2}{totalSeconds,15:F2}{megabytes,8:F2}{charts.Count,8}  {(totalSeconds <= 10 && megabytes <= 20 ? "met" : "MISSED")}"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["trials"] = count,
            ["build_seconds"] = buildSeconds,
            ["build_and_write_seconds"] = totalSeconds,
            ["megabytes"] = megabytes,
            ["charts"] = charts.Select(c => c.Id).ToList(),
            ["subsampled"] = charts.Where(c => c.Note is not null).ToDictionary(c => c.Id, c => c.Note!),
            ["left_out"] = leftOut,
            ["seconds_per_chart"] = chartSeconds,
            ["processors"] = Environment.ProcessorCount,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static List<TuningTrial> Generate(HyperparameterSpace space, int count, int seed)
    {
        var random = new Random(seed);
        var start = DateTimeOffset.UnixEpoch.AddYears(56);
        var workerClock = new double[4];
        var trials = new List<TuningTrial>(count);
        for (var id = 0; id < count; id++)
        {
            var coordinates = Enumerable.Range(0, space.Dimension).Select(_ => random.NextDouble()).ToArray();
            var parameters = space.DecodeParameters(coordinates);
            var worker = id % 4;
            var seconds = 0.5 + (random.NextDouble() * 3);
            var trial = new TuningTrial(id, parameters, budget: 9, startedAt: start.AddSeconds(workerClock[worker]));
            workerClock[worker] += seconds;
            var lr = parameters.Get<double>("lr");
            var final = Math.Pow(Math.Log10(lr) + 3, 2) + (0.1 * parameters.Get<int>("depth")) + ((string)parameters["optimizer"]! == "adam" ? 0 : 0.5) + random.NextDouble();
            var roll = random.NextDouble();
            var state = roll < 0.8 ? TrialState.Completed : roll < 0.92 ? TrialState.Pruned : TrialState.Failed;
            var steps = state == TrialState.Pruned ? 2 : 5;
            var curve = Enumerable.Range(1, steps).Select(s => KeyValuePair.Create(s, final + (3.0 / s))).ToList();
            double? value = state == TrialState.Failed ? null : curve[^1].Value;
            trial.Restore(state, value, value, state == TrialState.Failed ? "InvalidOperationException: diverged" : null, trial.StartedAt.AddSeconds(seconds),
                state == TrialState.Failed ? null : curve,
                new Dictionary<string, string> { ["bracket"] = (id % 3).ToString(CultureInfo.InvariantCulture), ["rung"] = (state == TrialState.Pruned ? 0 : 1).ToString(CultureInfo.InvariantCulture) },
                $"host/{100 + worker}/w{worker}");
            trials.Add(trial);
        }

        return trials;
    }
}
