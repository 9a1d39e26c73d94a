using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>An experiment tuning Poisson regression (which needs labels of 0 or more) refuses training data with a
/// label below 0 before any trial, instead of failing every Poisson trial; labels of 0 and more run.</summary>
public class LabelRequirementExperimentTests
{
    private static TuningExperiment Experiment(MLContext ml, bool withSdca = true)
    {
        var tuning = ml.Tuning();
        var pipeline = withSdca ? new TunablePipeline().Append(tuning.Regression.Sdca(), tuning.Regression.LbfgsPoissonRegression()) : tuning.Regression.LbfgsPoissonRegression().ToPipeline();
        return tuning.CreateExperiment(pipeline, RegressionTuningMetric.RSquared, options: new() { MaxTrials = 4, Seed = 1 });
    }

    [Test]
    public void A_label_below_0_is_refused_before_any_trial_naming_the_trainer_the_requirement_and_a_row()
    {
        var ml = new MLContext(1);
        var experiment = Experiment(ml).SetTrainValidationData(GeneratedData.Regression(ml, 80, seed: 1), GeneratedData.Regression(ml, 40, seed: 2, offset: 5));

        var error = Assert.Throws<ArgumentException>(() => experiment.Run());

        Assert.That(error!.Message, Does.StartWith("'LbfgsPoissonRegression' needs non-negative labels (>= 0), but the label 'Label' of the training data is -"));
        Assert.That(error.Message, Does.Match(@"at row \d+ \(\d+ of 80 rows are below 0\)"));
    }

    [Test]
    public void Labels_of_0_and_more_run_every_Poisson_trial()
    {
        var ml = new MLContext(1);
        var experiment = Experiment(ml, withSdca: false).SetTrainValidationData(GeneratedData.Regression(ml, 80, seed: 1, offset: 5), GeneratedData.Regression(ml, 40, seed: 2, offset: 5));

        var result = experiment.Run();

        Assert.That(result.Trials, Has.Count.EqualTo(4));
        Assert.That(result.Trials.Select(t => t.State), Has.All.EqualTo(TrialState.Completed), result.FirstError);
    }
}
