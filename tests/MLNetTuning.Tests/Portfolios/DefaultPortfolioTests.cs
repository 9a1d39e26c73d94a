using Microsoft.ML;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Pipelines;
using MLNetTuning.Portfolios;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Transfer;

namespace MLNetTuning.Tests.Portfolios;

/// <summary>The default portfolios shipped in the core (scripts/build-default-portfolio.sh writes them).</summary>
public class DefaultPortfolioTests
{
    private static readonly TuningTask[] Tasks = [TuningTask.BinaryClassification, TuningTask.MulticlassClassification, TuningTask.Regression];

    private static string SourceFile(TuningTask task) =>
        Path.Combine(RepositoryFiles.RepositoryRoot(), "src", "MLNetTuning", "Portfolios", "Default", PortfolioFile.TaskName(task) + ".json");

    [TestCaseSource(nameof(Tasks))]
    public void The_shipped_portfolio_is_the_repositorys_file_and_holds_full_points_of_the_tasks_presets(TuningTask task)
    {
        var entries = PortfolioFile.LoadDefault(task);

        Assert.That(entries, Is.Not.Empty);
        Assert.That(entries.Select(e => e.Parameters.ToJson()), Is.EqualTo(PortfolioFile.Load(SourceFile(task), PortfolioFile.TaskName(task)).Select(e => e.Parameters.ToJson())), "the assembly embeds the file in the repository");
        var catalog = new MLContext(0).Tuning();
        foreach (var entry in entries)
        {
            // Resolve throws for a trainer that is not a preset of this task.
            var preset = TrainerNames.Resolve(catalog, task, [entry.Trainer], "Label", "Features").Single();
            Assert.That(entry.Parameters.Keys.Order(), Is.EqualTo(preset.Space.Keys.Order()), $"{entry.Trainer}: a full point of the preset's space");
            Assert.That(() => PartialParameters.Validate(preset.Space, entry.Parameters), Throws.Nothing, $"{entry.Trainer}: inside the preset's space");
        }
    }

    [Test]
    public void A_shipped_file_read_for_another_task_is_refused_with_its_task_named()
    {
        var error = Assert.Throws<ArgumentException>(() => PortfolioFile.Load(SourceFile(TuningTask.BinaryClassification), "regression"))!;

        Assert.That(error.Message, Does.Contain("was built for the task 'binary', not 'regression'"));
    }

    [Test]
    public void An_experiment_given_the_default_portfolio_tries_its_configurations_of_the_tuned_trainers_first()
    {
        var ml = new MLContext(seed: 2);
        var tuning = ml.Tuning();
        var pipeline = tuning.Regression.Sdca().ToPipeline(tuning.Regression.FastTree());
        var portfolio = PortfolioFile.LoadDefault(TuningTask.Regression);
        var tuned = portfolio.Where(e => e.Trainer is "Sdca" or "FastTree").ToList();
        Assert.That(tuned, Is.Not.Empty, "the default regression portfolio has entries for Sdca or FastTree");

        var result = tuning.CreateExperiment(pipeline, RegressionTuningMetric.RSquared, options: new() { MaxTrials = tuned.Count + 1, Seed = 3, Store = new InMemoryTrialStore(), Portfolio = portfolio })
            .SetCrossValidationData(SharedData.Housing(ml), folds: 2)
            .Run();

        var first = result.Trials.OrderBy(t => t.Id).Take(tuned.Count).Select(t => (BranchSelection)t.Parameters["trainer"]!).ToList();
        Assert.That(first.Select(b => b.Branch), Is.EqualTo(tuned.Select(e => e.Trainer)));
        Assert.That(first.Select(b => b.Parameters.ToJson()), Is.EqualTo(tuned.Select(e => e.Parameters.ToJson())));
        Assert.That(result.Trials.OrderBy(t => t.Id).Last().Attributes, Does.Not.ContainKey("enqueued"), "after the portfolio, the tuner proposes");
    }
}
