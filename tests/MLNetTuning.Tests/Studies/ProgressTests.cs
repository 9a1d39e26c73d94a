using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Studies;

/// <summary>Issue 18, item 3: one line per trial to MLContext.Log and to an IProgress.</summary>
public class ProgressTests
{
    private static readonly HyperparameterSpace Space = HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Build();

    /// <summary>Collects reports on the calling thread (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Collected : IProgress<TrialProgress>
    {
        public List<TrialProgress> Reports { get; } = [];

        public void Report(TrialProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    private static List<(string Source, ChannelMessageKind Kind, string Line)> Subscribe(MLContext ml)
    {
        var lines = new List<(string, ChannelMessageKind, string)>();
        ml.Log += (_, e) =>
        {
            if (e.Source == TuningStudy.LogSource)
            {
                lock (lines)
                {
                    lines.Add((e.Source, e.Kind, e.RawMessage));
                }
            }
        };
        return lines;
    }

    [Test]
    public void AStudyWritesOneLinePerTrialToTheLogAndTheProgress()
    {
        var ml = new MLContext(seed: 1);
        var log = Subscribe(ml);
        var progress = new Collected();
        var study = ml.Tuning().CreateStudy(Space, new TunerCatalog().Random(), new TuningStudyOptions { Progress = progress, MetricName = "loss" }, seed: 2);
        study.Optimize(c => c.Trial.Id == 2 ? throw new InvalidOperationException("boom") : Math.Abs(c.Parameters.Get<double>("x")), new StudyLimits { MaxTrials = 6 });

        Assert.Multiple(() =>
        {
            Assert.That(log.Select(l => l.Line), Is.EqualTo(progress.Reports.Select(r => r.Message)), "the same lines in both");
            Assert.That(log, Has.Count.EqualTo(6));
            Assert.That(log.All(l => l.Kind == ChannelMessageKind.Info), Is.True);
            Assert.That(progress.Reports.Select(r => r.Trial.Id), Is.EqualTo(Enumerable.Range(0, 6)));
            Assert.That(progress.Reports.Select(r => r.FinishedTrials), Is.EqualTo(Enumerable.Range(1, 6)));
            Assert.That(progress.Reports[2].Message, Does.StartWith("Trial 2 failed after ").And.Contain("InvalidOperationException: boom"));
            Assert.That(progress.Reports[0].Message, Does.Match(@"^Trial 0 completed in \d+\.\d\d s: loss \d\.\d{4} \(best \d\.\d{4}, trial 0\); \{x=-?[\d.]+\}$"));
            var last = progress.Reports[^1];
            Assert.That(last.BestTrial, Is.SameAs(study.BestTrial));
            Assert.That(last.Message, Does.Contain($"(best {study.BestTrial!.Value:F4}, trial {study.BestTrial.Id})"));
        });
    }

    [Test]
    public void AStudyWithoutAContextOnlyReportsToItsProgress_AndNothingIsWrittenWithoutSubscribers()
    {
        var progress = new Collected();
        var study = new TuningStudy(new TunerCatalog().Random().Create(Space, 0), new TuningStudyOptions { Progress = progress });
        var trial = study.Ask()!;
        study.Tell(trial, 1.5);
        Assert.That(progress.Reports.Single().Message, Does.Contain("value 1.5000"));

        // A context nobody listens to: the run goes on and nothing fails.
        var silent = new MLContext(seed: 0).Tuning().CreateStudy(Space, seed: 1);
        Assert.That(silent.Optimize(c => 1, new StudyLimits { MaxTrials = 2 }).CompletedCount, Is.EqualTo(2));
    }

    [Test]
    public void AnExperimentWritesItsMetricTrainerAndBudgetPerTrial()
    {
        var ml = new MLContext(seed: 3);
        var log = Subscribe(ml);
        var progress = new Collected();
        var data = GeneratedData.Binary(ml, 300, seed: 3);
        var tuning = ml.Tuning();
        var experiment = tuning.CreateExperiment(
                tuning.BinaryClassification.FastTree().ToPipeline(),
                BinaryTuningMetric.AreaUnderRocCurve,
                options: new TuningExperimentOptions { MaxTrials = 4, Seed = 1, Progress = progress })
            .SetTuner(tuning.Tuners.SuccessiveHalving(new SuccessiveHalvingTunerOptions { MinBudget = 1, MaxBudget = 3 }))
            .SetTrainValidationData(data, data);
        experiment.Run();

        Assert.Multiple(() =>
        {
            var trialLines = log.Where(l => l.Line.StartsWith("Trial ", StringComparison.Ordinal)).Select(l => l.Line).ToList();
            Assert.That(trialLines, Is.EqualTo(progress.Reports.Select(r => r.Message)));
            Assert.That(progress.Reports, Has.Count.EqualTo(4));
            Assert.That(progress.Reports[0].Message, Does.Contain("completed").And.Contain(experiment.Metric.Name).And.Contain("FastTree: ").And.Contain(" trees at budget 1"));
            Assert.That(progress.Reports[^1].Message, Does.Contain(" trees at budget 3"));
        });
    }
}
