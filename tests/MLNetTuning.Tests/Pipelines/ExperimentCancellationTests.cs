using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>Cancelling a library experiment while a trainer that ignores cancellation is fitting.</summary>
[NonParallelizable]
public class ExperimentCancellationTests
{
    /// <summary>An estimator whose Fit waits for a gate before fitting the real trainer and never looks at
    /// cancellation, as LightGBM's native loop does between its checks.</summary>
    private sealed class DeafEstimator(IEstimator<ITransformer> inner, ManualResetEventSlim gate) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            gate.Wait();
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    /// <summary>Waits for the gate only when fitted on at least <paramref name="rows"/> rows (the refit on train + validation).</summary>
    private sealed class DeafOnRefit(IEstimator<ITransformer> inner, ManualResetEventSlim gate, int rows) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            var count = 0;
            using (var cursor = input.GetRowCursor([]))
            {
                while (cursor.MoveNext())
                {
                    count++;
                }
            }

            if (count >= rows)
            {
                gate.Wait();
            }

            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    [Test]
    public async Task TheTimeBudgetCutsTheTestConfirmationsRefitAndKeepsTheTrainedModel()
    {
        using var gate = new ManualResetEventSlim(false);
        try
        {
            var ml = new MLContext(seed: 5);
            var tuning = ml.Tuning();
            var trainer = tuning.CreateTunableEstimator(
                "Lbfgs",
                HyperparameterSpace.CreateBuilder().Float("L2", 0.01f, 1f).Build(),
                (context, p) => new DeafOnRefit(context.BinaryClassification.Trainers.LbfgsLogisticRegression(l2Regularization: p.Get<float>("L2")), gate, rows: 250));
            var experiment = tuning.CreateExperiment(trainer.ToPipeline(), options: new() { MaxTrials = null, TimeBudget = TimeSpan.FromSeconds(2), Seed = 1 })
                .SetTrainValidationData(GeneratedData.Binary(ml, 200, seed: 5), GeneratedData.Binary(ml, 100, seed: 6))
                .SetTestData(GeneratedData.Binary(ml, 80, seed: 7));

            var run = experiment.RunAsync();
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.That(finished, Is.SameAs(run), "the confirmation's refit after the time budget was waited for");
            var result = await run;

            Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.TimeBudget));
            var confirmation = result.Confirmation!;
            Assert.That(confirmation.RefitOnTrainAndValidation, Is.False, "no time was left to refit");
            Assert.That(confirmation.Best.TrialId, Is.EqualTo(result.BestTrial!.Id));
            Assert.That(confirmation.Best.Model, Is.SameAs(confirmation.Best.TrainOnlyModel));
            Assert.That(result.BestModel, Is.SameAs(confirmation.Best.TrainOnlyModel), "the best trial's model as the study trained it");
            Assert.That(confirmation.TestRows, Is.EqualTo(80));
        }
        finally
        {
            gate.Set();
        }
    }

    /// <summary>Fits at once; its model's scoring of <paramref name="validation"/> signals <paramref name="scoring"/> and waits for <paramref name="release"/>.</summary>
    private sealed class SlowScoring(IEstimator<ITransformer> inner, IDataView validation, ManualResetEventSlim scoring, ManualResetEventSlim release) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input) => new Scored(inner.Fit(input), validation, scoring, release);

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);

        private sealed class Scored(ITransformer model, IDataView validation, ManualResetEventSlim scoring, ManualResetEventSlim release) : ITransformer
        {
            public bool IsRowToRowMapper => model.IsRowToRowMapper;

            public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => model.GetOutputSchema(inputSchema);

            public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => model.GetRowToRowMapper(inputSchema);

            public void Save(ModelSaveContext ctx) => model.Save(ctx);

            public IDataView Transform(IDataView input)
            {
                // ML.NET's chain also transforms the training rows inside Fit; only the measurement waits.
                if (ReferenceEquals(input, validation))
                {
                    scoring.Set();
                    release.Wait();
                }

                return model.Transform(input);
            }
        }
    }

    [Test]
    public async Task A_trial_trained_before_the_cut_is_measured_and_keeps_its_result()
    {
        using var scoring = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var ml = new MLContext(seed: 6);
        var tuning = ml.Tuning();
        var validation = GeneratedData.Binary(ml, 100, seed: 7);
        var trainer = tuning.CreateTunableEstimator(
            "Lbfgs",
            HyperparameterSpace.CreateBuilder().Float("L2", 0.01f, 1f).Build(),
            (context, p) => new SlowScoring(context.BinaryClassification.Trainers.LbfgsLogisticRegression(l2Regularization: p.Get<float>("L2")), validation, scoring, release));
        using var cancel = new CancellationTokenSource();
        var run = tuning.CreateExperiment(trainer.ToPipeline(), options: new() { MaxTrials = 5, Seed = 1 })
            .SetTrainValidationData(GeneratedData.Binary(ml, 200, seed: 6), validation)
            .RunAsync(cancel.Token);

        Assert.That(scoring.Wait(TimeSpan.FromMinutes(2)), Is.True, "the first trial was never measured");
        await cancel.CancelAsync();
        release.Set();
        var result = await run;

        Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.Cancelled));
        var first = result.Trials.Single();
        Assert.That(first.State, Is.EqualTo(TrialState.Completed), first.Error);
        Assert.That(first.Value, Is.GreaterThan(0.5));
    }

    [Test]
    public async Task CancellingMidFitReturnsPromptlyAndKeepsTheCompletedTrials()
    {
        var folder = StoreTestKit.TempFolder();
        using var gate = new ManualResetEventSlim(false);
        try
        {
            var ml = new MLContext(seed: 4);
            var data = GeneratedData.Binary(ml, 300, seed: 4);
            var tuning = ml.Tuning();
            var completed = 0;
            var trainer = tuning.CreateTunableEstimator(
                "Lbfgs",
                HyperparameterSpace.CreateBuilder().Float("L2", 0.01f, 1f).Build(),
                (context, p) =>
                {
                    IEstimator<ITransformer> real = context.BinaryClassification.Trainers.LbfgsLogisticRegression(l2Regularization: p.Get<float>("L2"));
                    // The third trial's trainer does not listen to cancellation and would wait for ever.
                    return Volatile.Read(ref completed) >= 2 ? new DeafEstimator(real, gate) : real;
                });
            var path = Path.Combine(folder, "studies.db");
            using var cancel = new CancellationTokenSource();
            TuningExperimentResult result;
            var clock = new Stopwatch();
            using (var store = new SqliteTrialStore(path))
            {
                var experiment = tuning.CreateExperiment(trainer.ToPipeline(), options: new() { MaxTrials = 10, Seed = 1, Store = store, StudyName = "cancelled" })
                    .SetTrainValidationData(data, data);
                experiment.TrialCompleted += (_, _) => Interlocked.Increment(ref completed);
                experiment.TrialStarted += (_, e) =>
                {
                    if (e.Trial.Id == 2)
                    {
                        clock.Start();
                        cancel.CancelAfter(TimeSpan.FromMilliseconds(500));
                    }
                };

                var run = experiment.RunAsync(cancel.Token);
                var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
                Assert.That(finished, Is.SameAs(run), "the experiment waited for a trainer that ignores cancellation");
                result = await run;
                clock.Stop();
            }

            TestContext.Out.WriteLine($"measured: returned {clock.Elapsed.TotalSeconds:F2} s after the cut trial started (cancelled after 0.5 s)");
            Assert.That(result.Study.StopReason, Is.EqualTo(StudyStopReason.Cancelled));
            Assert.That(result.Trials.Where(t => t.State == TrialState.Completed).Select(t => t.Id), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(result.BestModel, Is.Not.Null, "the best completed trial's model is handed back");
            var cut = result.Trials.Single(t => t.Id == 2);
            Assert.That(cut.State, Is.EqualTo(TrialState.Failed));
            Assert.That(cut.Error, Does.Contain("cancelled"));

            using var reopened = SqliteTrialStore.OpenReadOnly(path);
            var stored = reopened.Load("cancelled");
            Assert.That(stored.Select(t => (t.Id, t.State)), Is.EqualTo(new[] { (0, TrialState.Completed), (1, TrialState.Completed), (2, TrialState.Failed) }), "nothing stored is lost and no trial is left running");
            Assert.That(stored.Where(t => t.Id < 2).Select(t => t.Value), Is.EqualTo(result.Trials.Where(t => t.Id < 2).Select(t => t.Value)));
        }
        finally
        {
            // Lets the abandoned fit end.
            gate.Set();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
