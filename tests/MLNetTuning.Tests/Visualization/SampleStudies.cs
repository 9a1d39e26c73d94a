using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using MLNetTuning.Visualization;

namespace MLNetTuning.Tests.Visualization;

/// <summary>Small real studies whose reports hold every kind of chart.</summary>
internal static class SampleStudies
{
    public static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Double("lr", 1e-4, 1, logScale: true)
        .Double("x", 0, 1)
        .Choice("optimizer", "adam", "sgd")
        .Build();

    public static readonly HyperparameterSpace ConditionalSpace = HyperparameterSpace.CreateBuilder()
        .Conditional("model", c => c.Branch("tree", b => b.Int("leaves", 2, 64)).Branch("linear", b => b.Double("l2", 1e-6, 1, logScale: true)))
        .Double("x", 0, 1)
        .Build();

    private static double Loss(TrialParameters p, int step) =>
        Math.Pow(Math.Log10(p.Get<double>("lr")) + 2, 2) + Math.Pow(p.Get<double>("x") - 0.3, 2) + ((string)p["optimizer"]! == "adam" ? 0 : 0.5) + (1.0 / step);

    private static async Task<double> Curve(TrialContext context, CancellationToken token)
    {
        var steps = (int)Math.Round(context.Budget ?? 1);
        var loss = double.NaN;
        for (var step = 1; step <= steps; step++)
        {
            await Task.Yield();
            loss = Loss(context.Parameters, step);
            if (context.Report(step, loss) == TrialDecision.Stop)
            {
                throw new TrialPrunedException();
            }
        }

        return loss;
    }

    /// <summary>Hyperband with two trials at a time: intermediate values, rungs, brackets.</summary>
    public static StudySnapshot Hyperband()
    {
        var tuner = new HyperbandTuner(Space, new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9, MaxBrackets = 3, Seed = 7 });
        var study = new TuningStudy(tuner);
        var result = study.OptimizeAsync(Curve, new StudyLimits { MaxConcurrentTrials = 2 }).GetAwaiter().GetResult();
        return StudySnapshot.From(result, Space, "hyperband");
    }

    /// <summary>Population-based training: members, continues, exploits.</summary>
    public static StudySnapshot Pbt()
    {
        var tuner = new PbtTuner(Space, new PbtTunerOptions { PopulationSize = 4, PerturbationInterval = 2, MaxBudget = 10, Seed = 3 });
        var study = new TuningStudy(tuner);
        var result = study.OptimizeAsync(Curve, new StudyLimits { MaxTrials = 40 }).GetAwaiter().GetResult();
        return StudySnapshot.From(result, Space, "pbt");
    }

    /// <summary>Random search on a conditional space, maximising, with some failed trials.</summary>
    public static StudySnapshot Conditional(int trials = 60)
    {
        var study = new TuningStudy(new RandomTuner(ConditionalSpace, new RandomTunerOptions { Seed = 5 }), new TuningStudyOptions { Direction = OptimizationDirection.Maximize });
        var result = study.Optimize(
            c =>
            {
                if (c.Trial.Id % 10 == 9)
                {
                    throw new InvalidOperationException("diverged");
                }

                var m = (BranchSelection)c.Parameters["model"]!;
                var x = c.Parameters.Get<double>("x");
                return m.Branch == "tree" ? x * m.Parameters.Get<int>("leaves") / 64.0 : x - Math.Log10(m.Parameters.Get<double>("l2")) / 10;
            },
            new StudyLimits { MaxTrials = trials });
        return StudySnapshot.From(result, ConditionalSpace, "conditional");
    }
}
