using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Tuners;

/// <summary>Branin and Hartmann-6 (minimised, known minima) and a loop that runs a tuner on them; shared by the
/// tuner tests. The benchmark project has the full set; these few formulas are repeated to keep projects apart.</summary>
public static class TunerTestFunctions
{
    public const double BraninOptimum = 0.397887;
    public const double Hartmann6Optimum = -3.322368;

    public static HyperparameterSpace BraninSpace { get; } = HyperparameterSpace.CreateBuilder().Double("x0", -5, 10).Double("x1", 0, 15).Build();

    public static HyperparameterSpace Hartmann6Space { get; } = Box(6, 0, 1);

    public static HyperparameterSpace Box(int dimension, double min, double max)
    {
        var builder = HyperparameterSpace.CreateBuilder();
        for (var i = 0; i < dimension; i++)
        {
            builder.Double($"x{i}", min, max);
        }

        return builder.Build();
    }

    public static double Branin(TrialParameters p)
    {
        var x1 = p.Get<double>("x0");
        var x2 = p.Get<double>("x1");
        const double b = 5.1 / (4 * Math.PI * Math.PI);
        const double c = 5 / Math.PI;
        const double t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - (b * x1 * x1) + (c * x1) - 6, 2) + (10 * (1 - t) * Math.Cos(x1)) + 10;
    }

    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] A =
    {
        { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] P =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };

    public static double Hartmann6(TrialParameters p)
    {
        var total = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                inner += A[i, j] * Math.Pow(p.Get<double>($"x{j}") - P[i, j], 2);
            }

            total += Alpha[i] * Math.Exp(-inner);
        }

        return -total;
    }

    /// <summary>Runs <paramref name="trials"/> sequential trials and returns the best value found.</summary>
    public static double Minimise(IHyperparameterTuner tuner, Func<TrialParameters, double> f, int trials)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < trials; i++)
        {
            var proposal = tuner.Propose(i) ?? throw new InvalidOperationException("The tuner stopped proposing.");
            var value = f(proposal.Parameters);
            best = Math.Min(best, value);
            Complete(tuner, i, proposal.Parameters, value);
        }

        return best;
    }

    /// <summary>Tells the tuner a trial completed (or ended in <paramref name="state"/>).</summary>
    public static TuningTrial Complete(IHyperparameterTuner tuner, int id, TrialParameters parameters, double? loss, TrialState state = TrialState.Completed)
    {
        var trial = new TuningTrial(id, parameters);
        trial.Restore(state, loss, loss, state == TrialState.Failed ? "boom" : null, DateTimeOffset.UtcNow);
        tuner.Complete(trial);
        return trial;
    }
}
