using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Transfer;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `retune --seeds 20`: re-tuning a changed task with TPE (or <c>--tuner</c>), cold against three ways of starting from an earlier study
/// (issue 20): enqueue the source's top 5, the full warm start (re-evaluations, prior, guard), and the full warm start
/// from an unrelated source. Per family the target is the cold start's median (over seeds) best loss after
/// <c>--trials</c> trials. Per seed each method's trials-to-target is the first trial whose best loss reaches the
/// target, infinite when it does not within <c>--max-trials</c>. The figures printed are medians over seeds of the
/// per-seed ratios (speed-up = cold / warm, unrelated = unrelated / cold), where two misses count as ratio 1.
/// </summary>
public sealed class RetuneCommand : IBenchmarkCommand
{
    private static readonly string[] Methods = ["cold", "enqueue-top5", "warm", "unrelated"];

    public string Name => "retune";

    public string Summary => "re-tuning a changed task: cold vs enqueue top-5 vs warm start vs unrelated source (--seeds 20 --first-seed 0 --trials 100 --max-trials 300 --source-trials 100 --families all --tuner tpe; warm start: --top-k --spread --half-life --prior-weight --min-correlation --reweighting on|off)";

    public int Run(BenchmarkArguments arguments)
    {
        var seeds = arguments.Int("seeds", 20);
        var firstSeed = arguments.Int("first-seed", 0);
        var reweighting = arguments.String("reweighting", "on");
        var trials = arguments.Int("trials", 100);
        var maxTrials = arguments.Int("max-trials", 300);
        var sourceTrials = arguments.Int("source-trials", 100);
        var familyNames = arguments.String("families", "all");
        var tunerName = arguments.String("tuner", "tpe");
        var defaults = new WarmStartOptions();
        var warmOptions = () => new WarmStartOptions
        {
            TopK = arguments.Int("top-k", defaults.TopK),
            SpreadTrials = arguments.Int("spread", defaults.SpreadTrials),
            PriorHalfLife = arguments.Double("half-life", defaults.PriorHalfLife),
            PriorWeight = arguments.Double("prior-weight", defaults.PriorWeight),
            GuardMinCorrelation = arguments.Double("min-correlation", defaults.GuardMinCorrelation),
            PriorReweighting = reweighting == "on",
        };
        warmOptions();
        var output = arguments.OutputPath("retune.json");
        arguments.RejectUnknown();
        BenchmarkArguments.Require(seeds >= 1, "seeds", seeds, "must be at least 1");
        BenchmarkArguments.Require(firstSeed >= 0, "first-seed", firstSeed, "must be at least 0");
        BenchmarkArguments.Require(reweighting is "on" or "off", "reweighting", reweighting, "must be on or off");
        BenchmarkArguments.Require(trials >= 1, "trials", trials, "must be at least 1");
        BenchmarkArguments.Require(maxTrials >= trials, "max-trials", maxTrials, $"must be at least --trials {trials}");
        BenchmarkArguments.Require(sourceTrials >= 1, "source-trials", sourceTrials, "must be at least 1");
        var families = RetuneFamilies.Resolve(familyNames);
        var tuners = TunerRegistry.Resolve(tunerName);
        BenchmarkArguments.Require(tuners.Count == 1, "tuner", tunerName, "must name one tuner");
        var tuner = TunerRegistry.All[tuners[0]];

        Console.WriteLine($"retune: tuner {tuner.Name} (default options), {seeds} seeds from {firstSeed}; sources searched with TPE for {sourceTrials} trials (per seed); target = cold's median best after {trials} trials; runs stop at the target or after {maxTrials} trials (a miss is infinite).");
        Console.WriteLine("warm = WarmStartFrom with default WarmStartOptions (or those given: --top-k --spread --half-life --prior-weight --min-correlation --reweighting); enqueue-top5 = WarmStartFrom { TopK = 5, SpreadTrials = 0, PriorWeight = 0 }; unrelated = warm from a different task.");
        var reports = new List<FamilyReport>();
        foreach (var family in families)
        {
            var clock = Stopwatch.StartNew();
            var report = RunFamily(family, firstSeed, seeds, trials, maxTrials, sourceTrials, warmOptions, tuner);
            reports.Add(report);
            Console.WriteLine($"  {family.Name}: {family.Description}; target {report.Target:G6}; {clock.Elapsed.TotalSeconds:0} s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {family.Name}: 90% bootstrap intervals over the seeds (2,000 resamples): speed-up {report.SpeedUpInterval.Low:0.00}-{report.SpeedUpInterval.High:0.00}x, unrelated {report.UnrelatedInterval.Low:0.00}-{report.UnrelatedInterval.High:0.00}x"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {family.Name}: enqueue-top5 trials-to-target {Show(report.MedianTrials["enqueue-top5"])} speed-up {Show(report.MedianEnqueueSpeedUp)}x; misses (of {seeds}): {string.Join(", ", Methods.Select(m => $"{m} {report.Misses[m]}"))}; unrelated guard kept the prior in {report.UnrelatedPriorKept} seed(s), related in {report.RelatedPriorKept}"));
        }

        Console.WriteLine();
        foreach (var r in reports)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"retune: {r.Family} trials-to-target cold {Show(r.MedianTrials["cold"])} warm {Show(r.MedianTrials["warm"])} speed-up {Show(r.MedianSpeedUp)}x unrelated {r.MedianUnrelatedCost:0.00}x"));
        }

        Console.WriteLine("Targets: speed-up >= 2x and unrelated <= 1.10x on every family (medians over seeds of per-seed ratios).");
        File.WriteAllText(output, JsonSerializer.Serialize(new { seeds, firstSeed, reweighting, trials, maxTrials, sourceTrials, families = reports }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"JSON: {output}");
        return 0;
    }

    private static FamilyReport RunFamily(RetuneFamily family, int firstSeed, int seeds, int trials, int maxTrials, int sourceTrials, Func<WarmStartOptions> warmOptions, TunerFactory tuner)
    {
        // Cold first, for every seed: its median at --trials is the target the others must reach.
        var stores = new List<InMemoryTrialStore>();
        var coldCurves = new List<double[]>();
        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var store = new InMemoryTrialStore();
            RunSource(store, "related", family.Space, family.RelatedSource, SeedStreams.Method("retune-related", seed), sourceTrials);
            RunSource(store, "unrelated", family.Space, family.UnrelatedSource, SeedStreams.Method("retune-unrelated", seed), sourceTrials);
            stores.Add(store);
            coldCurves.Add(BestCurve(NewStudy(family.Space, store, "cold", seed, tuner), family.Target, maxTrials, double.NegativeInfinity).Curve);
        }

        var target = Statistics.Median(coldCurves.Select(c => c[trials - 1]));
        var perSeed = new List<SeedResult>();
        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var store = stores[seed - firstSeed];
            var cold = TrialsToTarget(coldCurves[seed - firstSeed], target);
            var enqueue = RunFrom(family, store, "related", new WarmStartOptions { TopK = 5, SpreadTrials = 0, PriorWeight = 0 }, seed, maxTrials, target, tuner);
            var warm = RunFrom(family, store, "related", warmOptions(), seed, maxTrials, target, tuner);
            var unrelated = RunFrom(family, store, "unrelated", warmOptions(), seed, maxTrials, target, tuner);
            perSeed.Add(new SeedResult(seed, cold, enqueue.Trials, warm.Trials, unrelated.Trials, warm.PriorKept, unrelated.PriorKept, warm.Correlation, unrelated.Correlation));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {family.Name} seed {seed}: cold {Show(cold)} enqueue-top5 {Show(enqueue.Trials)} warm {Show(warm.Trials)} (guard ρ {warm.Correlation:0.00}, last trust {warm.Trust:0.00}) unrelated {Show(unrelated.Trials)} (guard ρ {unrelated.Correlation:0.00}, last trust {unrelated.Trust:0.00})"));
        }

        var speedUps = perSeed.Select(s => Ratio(s.Cold, s.Warm)).ToList();
        var unrelatedCosts = perSeed.Select(s => Ratio(s.Unrelated, s.Cold)).ToList();
        var byMethod = new Dictionary<string, IEnumerable<double>>
        {
            ["cold"] = perSeed.Select(s => s.Cold),
            ["enqueue-top5"] = perSeed.Select(s => s.EnqueueTop5),
            ["warm"] = perSeed.Select(s => s.Warm),
            ["unrelated"] = perSeed.Select(s => s.Unrelated),
        };
        return new FamilyReport(
            family.Name,
            family.Description,
            target,
            byMethod.ToDictionary(m => m.Key, m => Statistics.Median(m.Value)),
            byMethod.ToDictionary(m => m.Key, m => m.Value.Count(double.IsPositiveInfinity)),
            Statistics.Median(speedUps),
            Statistics.Median(perSeed.Select(s => Ratio(s.Cold, s.EnqueueTop5))),
            Statistics.Median(unrelatedCosts),
            Statistics.MedianInterval(speedUps),
            Statistics.MedianInterval(unrelatedCosts),
            perSeed.Count(s => s.WarmPriorKept),
            perSeed.Count(s => s.UnrelatedPriorKept),
            perSeed);
    }

    private static void RunSource(ITrialStore store, string name, HyperparameterSpace space, Func<TrialParameters, double> objective, int seed, int count)
    {
        var study = new TuningStudy(new TpeTuner(space, new TpeTunerOptions { Seed = seed }), new TuningStudyOptions { Name = name, Store = store });
        BestCurve(study, objective, count, double.NegativeInfinity);
    }

    private static TuningStudy NewStudy(HyperparameterSpace space, ITrialStore store, string name, int seed, TunerFactory tuner) =>
        new(tuner.Create(space, SeedStreams.Baseline(seed)), new TuningStudyOptions { Name = name, Store = store });

    private static (double Trials, bool PriorKept, double? Correlation, double? Trust) RunFrom(RetuneFamily family, ITrialStore store, string source, WarmStartOptions options, int seed, int maxTrials, double target, TunerFactory tuner)
    {
        var study = NewStudy(family.Space, store, $"{source}-{options.TopK}-{options.PriorWeight}-{Guid.NewGuid():N}", seed, tuner);
        var start = study.WarmStartFrom(source, options);
        var (curve, _) = BestCurve(study, family.Target, maxTrials, target);
        return (TrialsToTarget(curve, target), start.Prior is { IsSwitchedOff: false }, start.GuardCorrelation, start.Prior is { IsSwitchedOff: false } kept ? kept.Trust : null);
    }

    /// <summary>Asks and tells up to <paramref name="count"/> trials, stopping once the best reaches <paramref name="stopAt"/>;
    /// the best-so-far after each trial (the rest of the array +∞ after a stop).</summary>
    private static (double[] Curve, int Run) BestCurve(TuningStudy study, Func<TrialParameters, double> objective, int count, double stopAt)
    {
        var curve = Enumerable.Repeat(double.PositiveInfinity, count).ToArray();
        var best = double.PositiveInfinity;
        for (var i = 0; i < count; i++)
        {
            var trial = study.Ask() ?? throw new InvalidOperationException("The tuner proposed nothing.");
            var value = objective(trial.Parameters);
            study.Tell(trial, value);
            best = Math.Min(best, value);
            curve[i] = best;
            if (best <= stopAt)
            {
                return (curve, i + 1);
            }
        }

        return (curve, count);
    }

    private static double TrialsToTarget(double[] curve, double target)
    {
        var index = Array.FindIndex(curve, v => v <= target);
        return index < 0 ? double.PositiveInfinity : index + 1;
    }

    /// <summary>a / b, where two misses make 1 (neither reached the target: no difference shown).</summary>
    private static double Ratio(double a, double b) => double.IsPositiveInfinity(a) && double.IsPositiveInfinity(b) ? 1 : a / b;

    private static string Show(double value) => double.IsPositiveInfinity(value) ? "inf" : value.ToString(value == Math.Floor(value) ? "0" : "0.0#", CultureInfo.InvariantCulture);

    private sealed record SeedResult(int Seed, double Cold, double EnqueueTop5, double Warm, double Unrelated, bool WarmPriorKept, bool UnrelatedPriorKept, double? WarmGuardCorrelation, double? UnrelatedGuardCorrelation);

    private sealed record FamilyReport(string Family, string Description, double Target, Dictionary<string, double> MedianTrials, Dictionary<string, int> Misses, double MedianSpeedUp, double MedianEnqueueSpeedUp, double MedianUnrelatedCost, Interval SpeedUpInterval, Interval UnrelatedInterval, int RelatedPriorKept, int UnrelatedPriorKept, List<SeedResult> Seeds);
}
