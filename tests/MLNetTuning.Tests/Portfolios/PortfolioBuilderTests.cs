using MLNetTuning.Portfolios;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Portfolios;

public class PortfolioBuilderTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder()
        .Conditional("trainer", b => b
            .Branch("A", s => s.Double("x", 0, 1))
            .Branch("B", s => s.Double("y", 0, 1)))
        .Build();

    [Test]
    public void GreedySelectionPicksTheComplementarySetOverTheBestAverageAndStopsWhenNothingHelps()
    {
        double[][] scores =
        [
            [0, 1, 1],
            [1, 0, 1],
            [1, 1, 0],
            [0.9, 0.9, 0.9],
        ];

        Assert.That(PortfolioBuilder.Greedy(scores, 3), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(PortfolioBuilder.Greedy(scores, 6), Is.EqualTo(new[] { 0, 1, 2 }), "the fourth candidate lowers nothing");
        Assert.That(PortfolioBuilder.Greedy(scores, 1), Is.EqualTo(new[] { 0 }));
    }

    /// <summary>Three studies whose best x is 0.1, 0.5 and 0.9: the best three-point set for trainer A is exactly those.</summary>
    [Test]
    public void TheBuilderPicksPerTrainerTheKnownBestSetAcrossStudies()
    {
        var studies = new[] { 0.1, 0.5, 0.9 }.Select((optimum, s) => new PortfolioSourceStudy($"s{s}", Space, TrialsOf(optimum))).ToList();

        var portfolio = PortfolioBuilder.Build(studies, perTrainer: 3);

        var a = portfolio.Where(e => e.Trainer == "A").Select(e => Math.Round(e.Parameters.Get<double>("x"), 6)).Order().ToList();
        Assert.That(a, Is.EqualTo(new[] { 0.1, 0.5, 0.9 }));
        Assert.That(portfolio.Count(e => e.Trainer == "B"), Is.InRange(1, 3));
        Assert.That(portfolio.First(e => e.Trainer == "A").Parameters.Get<double>("x"), Is.EqualTo(0.5).Within(1e-9), "alone, the middle point is the best across the studies");
    }

    [Test]
    public void APortfolioFileForAnotherTaskIsRefusedAndOneForThisTaskRoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portfolio-{Guid.NewGuid():N}.json");
        try
        {
            var entries = PortfolioBuilder.Build([new PortfolioSourceStudy("s", Space, TrialsOf(0.3))], perTrainer: 2);
            PortfolioFile.Save(path, "binary", entries);

            var error = Assert.Throws<ArgumentException>(() => PortfolioFile.Load(path, "regression"));
            Assert.That(error!.Message, Does.Contain("built for the task 'binary', not 'regression'"));
            var loaded = PortfolioFile.Load(path, "binary");
            Assert.That(loaded.Select(e => e.Trainer), Is.EqualTo(entries.Select(e => e.Trainer)));
            Assert.That(loaded.Select(e => e.Parameters.ToJson()), Is.EqualTo(entries.Select(e => e.Parameters.ToJson())));
            Assert.Throws<ArgumentException>(() => PortfolioFile.Load(path + ".missing", "binary"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A grid over x for trainer A (loss (x − optimum)²) and over y for trainer B (loss 1 + y, always worse).</summary>
    private static List<TuningTrial> TrialsOf(double optimum)
    {
        var trials = new List<TuningTrial>();
        for (var i = 0; i <= 10; i++)
        {
            var x = i / 10.0;
            trials.Add(Completed(trials.Count, "A", "x", x, (x - optimum) * (x - optimum)));
            trials.Add(Completed(trials.Count, "B", "y", x, 1 + x));
        }

        return trials;
    }

    private static TuningTrial Completed(int id, string branch, string name, double value, double loss)
    {
        var parameters = new TrialParameters([new("trainer", new BranchSelection(branch, new TrialParameters([new(name, value)])))]);
        var trial = new TuningTrial(id, parameters);
        trial.Restore(TrialState.Completed, loss, loss, null, DateTimeOffset.UtcNow);
        return trial;
    }
}
