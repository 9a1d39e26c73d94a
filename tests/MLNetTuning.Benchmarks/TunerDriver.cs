using System.Diagnostics;
using MLNetTuning.Benchmarks.Functions;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>Drives a tuner directly (propose, evaluate, complete), timing the proposals.</summary>
public static class TunerDriver
{
    /// <summary>Minimises <paramref name="function"/> for <paramref name="trials"/> sequential trials.</summary>
    /// <returns>Best-so-far regret after each trial (a finished tuner, such as an exhausted grid, repeats its
    /// last value), total seconds and seconds spent proposing.</returns>
    public static (double[] Regret, double Seconds, double SuggestSeconds) Minimise(TunerFactory factory, BenchmarkFunction function, int seed, int trials)
    {
        var total = Stopwatch.StartNew();
        var suggest = new Stopwatch();
        var tuner = TunerRegistry.WithBudget(factory, trials).Create(function.Space, seed);
        var regret = new double[trials];
        var best = double.PositiveInfinity;
        for (var i = 0; i < trials; i++)
        {
            suggest.Start();
            var proposal = tuner.IsFinished ? null : tuner.Propose(i);
            suggest.Stop();
            if (proposal is not null)
            {
                var value = function.Evaluate(proposal.Parameters);
                best = Math.Min(best, value);
                Complete(tuner, i, proposal.Parameters, value);
            }

            regret[i] = best - function.Optimum;
        }

        return (regret, total.Elapsed.TotalSeconds, suggest.Elapsed.TotalSeconds);
    }

    /// <summary>Tells the tuner a trial completed with <paramref name="loss"/>.</summary>
    public static void Complete(IHyperparameterTuner tuner, int id, TrialParameters parameters, double loss)
    {
        var trial = new TuningTrial(id, parameters);
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
        tuner.Complete(trial);
    }

    /// <summary>log10 of a regret, floored at 1e-12 so a hit of the optimum stays finite.</summary>
    public static double Log10Regret(double regret) => Math.Log10(Math.Max(regret, 1e-12));
}
