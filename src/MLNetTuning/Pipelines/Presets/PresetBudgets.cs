namespace MLNetTuning.Pipelines.Presets;

/// <summary>The budget units of the preset trainers: trees for FastTree and FastForest, iterations for LightGBM,
/// and the data fraction for every trainer (the only unit of the linear ones).</summary>
internal static class PresetBudgets
{
    public static TunableEstimator Declare(TunableEstimator estimator, TrainerColumns options) => options switch
    {
        FastTreeSearchOptions or FastForestSearchOptions => estimator.WithBudgetUnits(BudgetUnit.Trees),
        LightGbmSearchOptions => estimator.WithBudgetUnits(BudgetUnit.Iterations),
        _ => estimator,
    };
}
