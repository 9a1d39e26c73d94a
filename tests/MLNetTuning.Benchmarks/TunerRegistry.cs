using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>The tuners the benchmarks know, by the name given on the command line. One line a tuner.</summary>
public static class TunerRegistry
{
    private static readonly TunerCatalog Catalog = new MLContext(seed: 0).Tuning().Tuners;

    public static IReadOnlyDictionary<string, TunerFactory> All { get; } = new Dictionary<string, TunerFactory>(StringComparer.Ordinal)
    {
        ["random"] = Catalog.Random(),
        ["grid"] = Catalog.Grid(),
        ["tpe"] = Catalog.Tpe(),
        ["tpe-mv"] = Catalog.Tpe(new TpeTunerOptions { GoodBandwidth = TpeBandwidth.Scott, BadBandwidth = TpeBandwidth.Scott }),
        ["tpe-univariate"] = Catalog.Tpe(new TpeTunerOptions { Multivariate = false, LatinHypercubeStartup = false }),
        ["cmaes"] = Catalog.CmaEs(),
        ["cmaes-nocentre"] = Catalog.CmaEs(new CmaEsTunerOptions { EvaluateStartPoint = false }),
        ["ga"] = Catalog.Genetic(),
        ["ga-nocentre"] = Catalog.Genetic(new GeneticTunerOptions { IncludeDefaults = false }),
        ["gp"] = Catalog.GaussianProcess(),
        ["gp-nocost"] = Catalog.GaussianProcess(new GaussianProcessTunerOptions { CostAware = false }),
        ["auto"] = Catalog.Auto(),
    };

    /// <summary>The factory for a run of <paramref name="trials"/> trials: Auto is told the budget, as a study's
    /// <c>Optimize</c> and the CLI's <c>--trials</c> tell it; other tuners take none.</summary>
    public static TunerFactory WithBudget(TunerFactory factory, int trials) =>
        ReferenceEquals(factory, All["auto"]) ? Catalog.Auto(new AutoTunerOptions { MaxTrials = trials }) : factory;

    /// <summary>Names from a comma-separated list, or every tuner for "all".</summary>
    public static IReadOnlyList<string> Resolve(string names) => names == "all"
        ? All.Keys.ToList()
        : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => All.ContainsKey(n) ? n : throw new ArgumentException($"Unknown tuner '{n}'. Known: {string.Join(", ", All.Keys)}, all."))
            .ToList();
}
