using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

/// <summary>A test function to minimise over a box, with its known minimum.</summary>
internal sealed record EvoTestFunction(string Name, HyperparameterSpace Space, Func<double[], double> Evaluate, double Minimum)
{
    /// <summary>A box [lower, upper]^d with parameters x0, x1, ….</summary>
    public static HyperparameterSpace Box(params (double Lower, double Upper)[] bounds)
    {
        var builder = HyperparameterSpace.CreateBuilder();
        for (var i = 0; i < bounds.Length; i++)
        {
            builder.Double($"x{i}", bounds[i].Lower, bounds[i].Upper);
        }

        return builder.Build();
    }

    public double At(TrialParameters parameters) => Evaluate(Enumerable.Range(0, Space.Count).Select(i => parameters.Get<double>($"x{i}")).ToArray());
}

/// <summary>Branin and Hartmann-6, and a sequential ask/tell loop that measures a tuner's regret on them.</summary>
internal static class EvoTestFunctions
{
    public static EvoTestFunction Branin { get; } = new("branin", EvoTestFunction.Box((-5, 10), (0, 15)), x =>
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        var u = x[1] - (b * x[0] * x[0]) + (c * x[0]) - 6;
        return (u * u) + (10 * (1 - t) * Math.Cos(x[0])) + 10;
    }, 0.397887);

    private static readonly double[] HartmannAlpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] HartmannA =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] HartmannP =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 },
        { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 },
        { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };

    public static EvoTestFunction Hartmann6 { get; } = new("hartmann6", EvoTestFunction.Box(Enumerable.Repeat((0.0, 1.0), 6).ToArray()), x =>
    {
        double sum = 0;
        for (var i = 0; i < 4; i++)
        {
            double inner = 0;
            for (var j = 0; j < 6; j++)
            {
                inner += HartmannA[i, j] * (x[j] - HartmannP[i, j]) * (x[j] - HartmannP[i, j]);
            }

            sum += HartmannAlpha[i] * Math.Exp(-inner);
        }

        return -sum;
    }, -3.322368);

    /// <summary>A mixed space: log double, float, linear and log ints, a string choice, a boolean, a constant,
    /// a nested space and a conditional choice whose branches have their own ints and choices.</summary>
    public static HyperparameterSpace MixedConditionalSpace() => HyperparameterSpace.CreateBuilder()
        .Double("learningRate", 1e-4, 1, logScale: true)
        .Float("fraction", 0.1f, 1f)
        .Int("depth", 1, 3)
        .Int("leaves", 2, 512, logScale: true)
        .Choice("loss", "hinge", "log", "squared")
        .Boolean("shuffle")
        .Constant("threads", 1)
        .Nested("regularization", b => b.Double("l1", 0, 1).Int("patience", 0, 4))
        .Conditional("trainer", c => c
            .Branch("forest", b => b.Int("trees", 10, 20).Choice("split", "gini", "entropy"))
            .Branch("linear", b => b.Double("l2", 1e-6, 1, logScale: true))
            .Branch("none"))
        .Build();

    /// <summary>A made-up loss over <see cref="MixedConditionalSpace"/> that depends on every kind of parameter.</summary>
    public static double MixedLoss(TrialParameters p)
    {
        var trainer = p.Get<BranchSelection>("trainer");
        var branchLoss = trainer.Branch switch
        {
            "forest" => Math.Abs(trainer.Parameters.Get<int>("trees") - 17) / 10.0 + (trainer.Parameters.Get<string>("split") == "gini" ? 0 : 0.2),
            "linear" => Math.Abs(Math.Log10(trainer.Parameters.Get<double>("l2")) + 3) / 3,
            _ => 1.0,
        };
        return Math.Pow(Math.Log10(p.Get<double>("learningRate")) + 2, 2)
            + Math.Abs(p.Get<float>("fraction") - 0.7)
            + Math.Abs(p.Get<int>("depth") - 3)
            + Math.Abs(Math.Log2(p.Get<int>("leaves")) - 5) / 4
            + (p.Get<string>("loss") == "log" ? 0 : 0.5)
            + (p.Get<bool>("shuffle") ? 0 : 0.3)
            + p.Get<TrialParameters>("regularization").Get<double>("l1")
            + branchLoss;
    }

    /// <summary>Runs <paramref name="trials"/> sequential trials and returns the best value's regret over the minimum.</summary>
    public static double BestRegret(IHyperparameterTuner tuner, EvoTestFunction function, int trials)
    {
        var best = double.PositiveInfinity;
        for (var id = 0; id < trials; id++)
        {
            var proposal = tuner.Propose(id) ?? throw new InvalidOperationException("The tuner proposed nothing.");
            var value = function.At(proposal.Parameters);
            best = Math.Min(best, value);
            tuner.Complete(CompletedTrial(id, proposal.Parameters, value));
        }

        return best - function.Minimum;
    }

    /// <summary>A trial ended with <paramref name="loss"/>, as the study would hand it to a tuner.</summary>
    public static TuningTrial CompletedTrial(int id, TrialParameters parameters, double loss)
    {
        var trial = new TuningTrial(id, parameters);
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UnixEpoch);
        return trial;
    }

    /// <summary>A trial that failed.</summary>
    public static TuningTrial FailedTrial(int id, TrialParameters parameters)
    {
        var trial = new TuningTrial(id, parameters);
        trial.Restore(TrialState.Failed, null, null, "test failure", DateTimeOffset.UnixEpoch);
        return trial;
    }
}
