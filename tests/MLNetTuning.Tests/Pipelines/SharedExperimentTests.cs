using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Experiments that share one stored study, as worker processes on one machine do with a SQLite file.</summary>
public class SharedExperimentTests
{
    [Test]
    public async Task TwoExperimentsShareOneStudyAndStopTogetherAtTheTotalBudget()
    {
        var path = Path.Combine(StoreTestKit.TempFolder(), "shared.db");
        var ml = new MLContext(seed: 4);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 300, seed: 4), 0.3, seed: 4);

        // Each worker's first trial waits (at most 30 s) until the other has started one too: trials take milliseconds,
        // so on a busy machine one worker could otherwise run all 12 before the other opens the store.
        using var bothStarted = new CountdownEvent(2);

        async Task<TuningExperimentResult> Worker()
        {
            using var store = new SqliteTrialStore(path);
            var tuning = ml.Tuning();
            var experiment = tuning.CreateExperiment(
                    tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(),
                    options: new() { MaxTrials = null, Store = store, StudyName = "shared", HeartbeatTimeout = TimeSpan.FromSeconds(30), TotalTrialBudget = 12, Seed = 2 })
                .SetTrainValidationData(split.TrainSet, split.TestSet);
            var first = true;
            experiment.TrialStarted += (_, _) =>
            {
                if (first)
                {
                    first = false;
                    bothStarted.Signal();
                    bothStarted.Wait(TimeSpan.FromSeconds(30));
                }
            };
            return await experiment.RunAsync();
        }

        var results = await Task.WhenAll(Task.Run(Worker), Task.Run(Worker));

        using var reader = new SqliteTrialStore(path);
        var stored = reader.Load("shared");
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 12)), "12 distinct ids, none skipped");
            Assert.That(stored.Select(t => t.State), Is.All.EqualTo(TrialState.Completed), stored.FirstOrDefault(t => t.Error is not null)?.Error);
            Assert.That(stored.Select(t => t.WorkerId).Distinct().Count(), Is.EqualTo(2), "both workers ran trials");
            Assert.That(results.Select(r => r.Study.StopReason), Is.All.EqualTo(StudyStopReason.MaxTrials));
            Assert.That(results.Select(r => r.BestModel), Is.All.Not.Null);
            // AUC is maximised: each worker's best is the best of the trials it knows, and one of them knows the study's best.
            Assert.That(results.Select(r => r.BestMetric!.Value), Is.EqualTo(results.Select(r => r.Trials.Where(t => t.State == TrialState.Completed).Max(t => t.Value!.Value))));
            Assert.That(results.Max(r => r.BestMetric!.Value), Is.EqualTo(stored.Max(t => t.Value!.Value)).Within(1e-12));
        });
    }

    [Test]
    public void AResumedExperimentWhoseBestRanInAnEarlierRunSaysItTrainsThatModelAgain()
    {
        var path = Path.Combine(StoreTestKit.TempFolder(), "resumed.db");
        var ml = new MLContext(seed: 6);
        var split = ml.Data.TrainTestSplit(GeneratedData.Binary(ml, 200, seed: 6), 0.3, seed: 6);
        var lines = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == TuningStudy.LogSource)
            {
                lock (lines)
                {
                    lines.Add(e.RawMessage);
                }
            }
        };

        TuningExperimentResult Run()
        {
            using var store = new SqliteTrialStore(path);
            var tuning = ml.Tuning();
            return tuning.CreateExperiment(
                    tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(),
                    options: new() { MaxTrials = null, Store = store, StudyName = "resumed", TotalTrialBudget = 3, Seed = 2 })
                .SetTrainValidationData(split.TrainSet, split.TestSet)
                .Run();
        }

        var first = Run();
        Assert.That(lines, Has.None.Contains("training it again"), "the first run holds its best trial's model");

        // The study is full, so the second run only wraps up: its best is a trial of the first run.
        var second = Run();
        Assert.That(second.Trials.Count, Is.EqualTo(3));
        Assert.That(lines, Has.One.EqualTo($"Trial {first.BestTrial!.Id} ran in an earlier run or on another worker, so its model is not in this process: training it again for the result."));
        Assert.That(second.BestModel, Is.Not.Null);
    }

    [Test]
    public void PopulationBasedTrainingRefusesASharedStudy()
    {
        var ml = new MLContext(seed: 5);
        var data = GeneratedData.Binary(ml, 100, seed: 5);
        var tuning = ml.Tuning();
        var experiment = tuning.CreateExperiment(
                tuning.BinaryClassification.AveragedPerceptron().ToPipeline(),
                options: new() { MaxTrials = 4, HeartbeatTimeout = TimeSpan.FromSeconds(30) })
            .SetTuner(tuning.Tuners.Pbt(new PbtTunerOptions { PopulationSize = 2, PerturbationInterval = 1, MaxBudget = 2 }))
            .SetTrainValidationData(data, data);
        Assert.That(() => experiment.Run(), Throws.ArgumentException.With.Message.Contains("cannot share its study"));
    }
}
