using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Benchmarks.Functions;

/// <summary>
/// A mixed, conditional function shaped like a model-selection problem, with f* = 0 reached exactly:
/// a booster (conditional choice) with branch-specific integer and log-scale parameters, a loss (choice),
/// a bin count (log-scale integer) and a weight (real).
/// </summary>
/// <remarks>
/// f = branch cost + loss cost + (log2(bins) − 6)²/8 + 2·(weight − 0.25)², where the branch costs are
/// gbdt: (depth − 9)²/10 + (log10(rate) + 2.2)², linear: 0.5 + (log10(l2) + 2)²/4,
/// forest: 0.3 + (ln trees − ln 200)²/2 + (features − 0.6)², and the loss costs are l2: 0, l1: 0.1, huber: 0.2.
/// The optimum: gbdt, depth 9, rate 10^−2.2, l2, 64 bins, weight 0.25, away from every range's centre (the
/// defaults): depth's is 6.5, rate's log-centre 10^−1.5 (where the optimum was before issue 18).
/// </remarks>
public static class MixedConditionalFunction
{
    public static BenchmarkFunction Create()
    {
        var space = HyperparameterSpace.CreateBuilder()
            .Conditional("booster", b => b
                .Branch("gbdt", s => s.Int("depth", 1, 12).Double("rate", 1e-3, 1, logScale: true))
                .Branch("linear", s => s.Double("l2", 1e-6, 10, logScale: true))
                .Branch("forest", s => s.Int("trees", 10, 500, logScale: true).Double("features", 0.1, 1)))
            .Choice("loss", "huber", "l1", "l2")
            .Int("bins", 2, 256, logScale: true)
            .Double("weight", 0, 1)
            .Build();
        return new BenchmarkFunction("mixed_conditional", space, 0, Evaluate);
    }

    private static double Evaluate(TrialParameters p)
    {
        var booster = p.Get<BranchSelection>("booster");
        var q = booster.Parameters;
        var branch = booster.Branch switch
        {
            "gbdt" => (Math.Pow(q.Get<int>("depth") - 9, 2) / 10) + Math.Pow(Math.Log10(q.Get<double>("rate")) + 2.2, 2),
            "linear" => 0.5 + (Math.Pow(Math.Log10(q.Get<double>("l2")) + 2, 2) / 4),
            _ => 0.3 + (Math.Pow(Math.Log(q.Get<int>("trees")) - Math.Log(200), 2) / 2) + Math.Pow(q.Get<double>("features") - 0.6, 2),
        };
        var loss = p.Get<string>("loss") switch
        {
            "l2" => 0.0,
            "l1" => 0.1,
            _ => 0.2,
        };
        return branch + loss + (Math.Pow(Math.Log2(p.Get<int>("bins")) - 6, 2) / 8) + (2 * Math.Pow(p.Get<double>("weight") - 0.25, 2));
    }
}
