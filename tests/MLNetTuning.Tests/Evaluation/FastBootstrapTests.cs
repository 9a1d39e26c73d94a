using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Evaluation;

/// <summary>The bootstrap's fast AUC (scores sorted once, resamples as row weights) and its stop at a deadline.</summary>
public class FastBootstrapTests
{
    /// <summary>The AUC the long way: every (positive, negative) pair counted as often as both rows were drawn,
    /// a tie counting half.</summary>
    private static double PairwiseAuc(float[] score, bool[] positive, int[] weights)
    {
        double won = 0, pairs = 0;
        for (var i = 0; i < score.Length; i++)
        {
            for (var j = 0; j < score.Length; j++)
            {
                if (!positive[i] || positive[j])
                {
                    continue;
                }

                var both = (double)weights[i] * weights[j];
                pairs += both;
                won += both * (score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0);
            }
        }

        return won / pairs;
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void WeightedPassEqualsThePairwiseAucWithTiesAndRepeats(int seed)
    {
        var random = new Random(seed);
        const int n = 400;

        // Scores on a coarse grid, so many rows tie, some across the classes.
        var score = Enumerable.Range(0, n).Select(_ => (float)random.Next(25)).ToArray();
        var positive = score.Select(s => random.NextDouble() < 0.2 + (s / 40)).ToArray();
        var ranked = new RankedScores(score, positive);
        var rows = Enumerable.Range(0, n).Select(_ => random.Next(n)).ToArray();
        var weights = ranked.Weights(rows);

        Assert.That(weights.Max(), Is.GreaterThan(1), "the resample repeats rows");
        Assert.That(weights.Min(), Is.EqualTo(0), "and leaves some out");
        Assert.That(ranked.AreaUnderRoc(weights), Is.EqualTo(PairwiseAuc(score, positive, weights)).Within(1e-12));
        var once = Enumerable.Repeat(1, n).ToArray();
        Assert.That(ranked.AreaUnderRoc(once), Is.EqualTo(PairwiseAuc(score, positive, once)).Within(1e-12));
    }

    [Test]
    public void AucOfOneClassIsNaN()
    {
        var ranked = new RankedScores([0.1f, 0.5f, 0.5f], [true, true, false]);

        Assert.That(ranked.AreaUnderRoc([1, 1, 0]), Is.NaN, "no negative drawn");
        Assert.That(ranked.AreaUnderRoc([2, 0, 1]), Is.EqualTo(0.0), "the only negative outscores the positive");
        Assert.That(ranked.AreaUnderRoc([0, 1, 1]), Is.EqualTo(0.5), "a tie counts half");
    }

    [Test]
    public void BootstrapStopsAtTheDeadlineAndSaysHowManyResamplesItMade()
    {
        var values = Enumerable.Range(0, 500).Select(i => i % 3 == 0 ? 1.0 : 0.0).ToArray();
        using var stop = new CancellationTokenSource();
        var calls = 0;
        double Statistic(int[] rows)
        {
            // The deadline passes during the 150th resample.
            if (++calls == 150)
            {
                stop.Cancel();
            }

            return rows.Average(i => values[i]);
        }

        var (low, high, made) = BootstrapInterval.Percentile(values.Length, null, Statistic, 1000, 0.95, seed: 1, stop.Token);

        Assert.That(made, Is.EqualTo(150));
        Assert.That(calls, Is.EqualTo(150));
        Assert.That(low, Is.LessThan(values.Average()));
        Assert.That(high, Is.GreaterThan(values.Average()));
    }

    [Test]
    public void BootstrapPastItsDeadlineStillMakesTheMinimumResamples()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var calls = 0;

        var (_, _, made) = BootstrapInterval.Percentile(50, null, rows => ++calls, 1000, 0.95, seed: 1, stop.Token);

        Assert.That(made, Is.EqualTo(BootstrapInterval.MinResamples));
        Assert.That(calls, Is.EqualTo(BootstrapInterval.MinResamples));
    }

    [Test]
    public void BootstrapWithoutDeadlineMakesEveryResample()
    {
        var (_, _, made) = BootstrapInterval.Percentile(50, null, rows => rows[0], 300, 0.95, seed: 1);

        Assert.That(made, Is.EqualTo(300));
    }
}
