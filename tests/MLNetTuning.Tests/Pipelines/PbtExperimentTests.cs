using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Population-based training of ML.NET trainers that continue from their weights.</summary>
public class PbtExperimentTests
{
    [Test]
    public void PbtTrainsAnOnlineLinearPopulationAndTheScheduleReplays()
    {
        var ml = new MLContext(seed: 3);
        var data = GeneratedData.Binary(ml, 600, seed: 3);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 3);
        var tuning = ml.Tuning();
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(tuning.BinaryClassification.AveragedPerceptron());
        var experiment = tuning.CreateExperiment(pipeline, BinaryTuningMetric.Accuracy, options: new() { MaxTrials = null, Seed = 4 })
            .SetTrainValidationData(split.TrainSet, split.TestSet)
            .SetTuner(tuning.Tuners.Pbt(new PbtTunerOptions { PopulationSize = 4, PerturbationInterval = 2, MaxBudget = 8 }));
        var result = experiment.Run();

        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TunerFinished));
        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        Assert.That(result.Trials.Where(t => t.Budget == 8).Select(t => t.Attributes[PbtTuner.MemberAttribute]).Distinct().Count(), Is.EqualTo(4));
        Assert.That(result.Trials.Where(t => t.ParentTrialId is not null).Select(t => t.Attributes["budget"]), Is.All.Contains("iterations"));

        Assert.That(
            result.Trials.Select(t => (MLNetTuning.SearchSpaces.TrialParameters)t.Parameters["AveragedPerceptron"]!),
            Has.None.Matches<MLNetTuning.SearchSpaces.TrialParameters>(p => p != null && p.ContainsKey("NumberOfIterations")),
            "the budget sets the passes, so PBT does not search or perturb them");
        var winner = result.Trials.Where(t => t.Budget == 8).MaxBy(t => t.Value)!;
        var lineage = PbtLineage.Of(result.Trials, winner.Id);
        TestContext.Out.WriteLine(lineage.Format());
        Assert.That(lineage.Segments[0].StartBudget, Is.EqualTo(0));
        Assert.That(lineage.Segments[^1].EndBudget, Is.EqualTo(8));
        Assert.That(lineage.Segments.Zip(lineage.Segments.Skip(1)).All(p => p.First.EndBudget == p.Second.StartBudget), Is.True);

        // A fresh model trained with the winner's schedule gets the same accuracy.
        var (model, value) = experiment.ReplaySchedule(lineage);
        Assert.That(value, Is.EqualTo(winner.Value!.Value).Within(1e-9));
        Assert.That(model, Is.Not.Null);
    }

    [Test]
    public void AContinuedTrialTrainsOnlyThePassesItsParentDidNot()
    {
        var ml = new MLContext(seed: 1);
        var data = GeneratedData.Binary(ml, 300, seed: 1);
        var tuning = ml.Tuning();
        var preset = tuning.BinaryClassification.AveragedPerceptron();
        var parameters = preset.Space.Defaults.With("NumberOfIterations", 6);

        // From scratch to 2 passes, then continued to 6: equal to the parent's weights after 4 more passes of the same data.
        var first = (ISingleFeaturePredictionTransformer<LinearModelParameters>)preset.Build(new MLContext(1), parameters.With("NumberOfIterations", 2)).Fit(data);
        var continuation = new TrainingContinuation(first.Model, 2, 0);
        var continued = (ISingleFeaturePredictionTransformer<LinearModelParameters>)preset.Build(new MLContext(1), parameters, continuation).Fit(data);
        var byHand = ml.BinaryClassification.Trainers.AveragedPerceptron(new AveragedPerceptronTrainer.Options { LearningRate = 1, NumberOfIterations = 4 }).Fit(data, first.Model);
        Assert.That(continued.Model.Weights, Is.EqualTo(byHand.Model.Weights).Within(1e-5));
        Assert.That(continued.Model.Weights, Is.Not.EqualTo(first.Model.Weights));
        Assert.That(preset.CheckpointOf(continued), Is.SameAs(continued.Model));
    }

    [Test]
    public void PbtRefusesTrainersThatCannotContinue()
    {
        var ml = new MLContext(seed: 1);
        var data = GeneratedData.Binary(ml, 100, seed: 1);
        var tuning = ml.Tuning();
        var experiment = tuning.CreateExperiment(tuning.BinaryClassification.AveragedPerceptron().ToPipeline(tuning.BinaryClassification.FastTree()))
            .SetTrainValidationData(data, data)
            .SetTuner(tuning.Tuners.Pbt());
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("'FastTree' cannot continue training"));

        var crossValidated = tuning.CreateExperiment(tuning.BinaryClassification.AveragedPerceptron().ToPipeline())
            .SetCrossValidationData(data, folds: 3)
            .SetTuner(tuning.Tuners.Pbt());
        Assert.That(() => crossValidated.Run(), Throws.ArgumentException.With.Message.Contains("needs train and validation data"));
    }

    [Test]
    public void HyperbandPromotionsContinueFromTheLowerRung()
    {
        var ml = new MLContext(seed: 2);
        var data = GeneratedData.Binary(ml, 300, seed: 2);
        var split = ml.Data.TrainTestSplit(data, 0.3, seed: 2);
        var tuning = ml.Tuning();
        var result = tuning.CreateExperiment(tuning.Regression.OnlineGradientDescent(labelColumnName: "Target").ToPipeline(), RegressionTuningMetric.RootMeanSquaredError, labelColumnName: "Target", options: new() { MaxTrials = 25, Seed = 1 })
            .SetTrainValidationData(WithTarget(ml, split.TrainSet), WithTarget(ml, split.TestSet))
            .SetTuner(tuning.Tuners.Hyperband(new HyperbandTunerOptions { MinBudget = 1, MaxBudget = 9 }))
            .Run();
        Assert.That(result.Study.FailedCount, Is.EqualTo(0), result.FirstError);
        var promoted = result.Trials.Where(t => t.ParentTrialId is not null).ToList();
        Assert.That(promoted, Is.Not.Empty);
        var byId = result.Trials.ToDictionary(t => t.Id);
        Assert.Multiple(() =>
        {
            foreach (var trial in promoted)
            {
                var parent = byId[trial.ParentTrialId!.Value];
                Assert.That(trial.Parameters, Is.EqualTo(parent.Parameters), $"trial {trial.Id} promotes its parent's configuration");
                Assert.That(int.Parse(trial.Attributes["rung"], CultureInfo.InvariantCulture), Is.EqualTo(int.Parse(parent.Attributes["rung"], CultureInfo.InvariantCulture) + 1), $"trial {trial.Id}'s parent is on the rung below");
                Assert.That(parent.Budget!.Value, Is.LessThan(trial.Budget!.Value), $"trial {trial.Id} trains further than its parent");
                Assert.That(trial.Attributes.GetValueOrDefault(TuningExperiment.ContinuedFromAttribute), Is.EqualTo(parent.Id.ToString(CultureInfo.InvariantCulture)), $"trial {trial.Id} resumes its parent's weights instead of training again");
            }
        });
    }

    private static IDataView WithTarget(MLContext ml, IDataView data) =>
        ml.Transforms.Conversion.ConvertType("Target", "Label", DataKind.Single).Fit(data).Transform(data);
}
