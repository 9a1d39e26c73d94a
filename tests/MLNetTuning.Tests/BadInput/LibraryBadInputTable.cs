using System.Security.Cryptography;
using Microsoft.ML;
using MLNetTuning.Pipelines;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tests.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.BadInput;

/// <summary>
/// Bad inputs to the library with a SQLite store that holds a study 's' (20 trials): each throws its documented
/// exception type with a message naming the problem, before the store is written (the file keeps its bytes).
/// </summary>
[NonParallelizable]
public class LibraryBadInputTable
{
    private static string _template = "";
    private static string _folder = "";

    /// <summary>One bad input: what it does with the store, the exception type and message parts.</summary>
    public sealed record Case(string Name, Action<ITrialStore> Act, Type Exception, params string[] Messages)
    {
        public override string ToString() => Name;
    }

    private static TuningExperiment Experiment(ITrialStore store, TunablePipeline? pipeline = null, string label = "Label")
    {
        var ml = new MLContext(1);
        var tuning = ml.Tuning();
        return tuning.CreateExperiment(pipeline ?? tuning.BinaryClassification.LbfgsLogisticRegression().ToPipeline(), labelColumnName: label, options: new TuningExperimentOptions { Store = store, StudyName = "exp", MaxTrials = 2 });
    }

    private static TuningExperiment Regression(ITrialStore store)
    {
        var tuning = new MLContext(1).Tuning();
        var pipeline = new TunablePipeline().Append(tuning.Regression.Sdca(), tuning.Regression.LbfgsPoissonRegression());
        return tuning.CreateExperiment(pipeline, RegressionTuningMetric.RSquared, options: new TuningExperimentOptions { Store = store, StudyName = "exp", MaxTrials = 2 });
    }

    private static IDataView Data(int rows) => GeneratedData.Binary(new MLContext(1), rows, seed: 1);

    public static IEnumerable<TestCaseData> Cases() => new Case[]
    {
        new("experiment with an unknown label column", s => Experiment(s, label: "Target").SetTrainValidationData(Data(50), Data(50)).Run(), typeof(ArgumentException), "Unknown label column 'Target'"),
        new("experiment on empty training data", s => Experiment(s).SetTrainValidationData(GeneratedData.Empty(new MLContext(1)), Data(50)).Run(), typeof(ArgumentException), "The training data is empty."),
        new("experiment whose validation data lacks a column", s => Experiment(s).SetTrainValidationData(Data(50), new MLContext(1).Transforms.DropColumns("Group").Fit(Data(50)).Transform(Data(50))).Run(), typeof(ArgumentException), "lacks the column(s) 'Group'"),
        new("experiment whose trainer reads a missing feature column", s => Experiment(s, new MLContext(1).Tuning().BinaryClassification.LightGbm(featureColumnName: "Pixels").ToPipeline()).SetTrainValidationData(Data(50), Data(50)).Run(), typeof(ArgumentException), "'LightGbm' does not fit the data", "Pixels"),
        new("experiment without data", s => Experiment(s).Run(), typeof(InvalidOperationException), "SetTrainValidationData"),
        new("experiment tuning Poisson regression on a label below 0", s => Regression(s).SetTrainValidationData(GeneratedData.Regression(new MLContext(1), 60, seed: 1), GeneratedData.Regression(new MLContext(1), 30, seed: 2)).Run(), typeof(ArgumentException), "'LbfgsPoissonRegression' needs non-negative labels (>= 0)", "label 'Label' of the training data is -", "rows are below 0"),
        new("study reopened with the other direction", s => Open(s, StoreTestKit.Space, OptimizationDirection.Maximize), typeof(InvalidOperationException), "Study 's'", "minimized, not maximized"),
        new("study reopened with another space", s => Open(s, HyperparameterSpace.CreateBuilder().Double("x", -5, 5).Build(), OptimizationDirection.Minimize), typeof(InvalidOperationException), "different search space", "only in the stored space: kind, n"),
        new("study name with a space", s => Open(s, StoreTestKit.Space, OptimizationDirection.Minimize, "my study"), typeof(ArgumentException), "'my study'"),
        new("store asked for a study named with a quote", s => s.FindStudy("s'; drop table trials; --"), typeof(ArgumentException), "drop table"),
    }.Select(c => new TestCaseData(c).SetName($"BadInput (library): {c.Name}"));

    private static void Open(ITrialStore store, HyperparameterSpace space, OptimizationDirection direction, string name = "s")
    {
        using var study = new TuningStudy(new RandomTuner(space, null, 1), new TuningStudyOptions { Name = name, Store = store, Direction = direction });
    }

    [OneTimeSetUp]
    public void MakeStore()
    {
        _folder = StoreTestKit.TempFolder();
        _template = Path.Combine(_folder, "template.db");
        using var store = new SqliteTrialStore(_template);
        using var study = StoreTestKit.Open(store);
        study.Optimize(c => StoreTestKit.Objective(c.Parameters), new StudyLimits { MaxTrials = 20 });
    }

    [OneTimeTearDown]
    public void RemoveStore() => Directory.Delete(_folder, recursive: true);

    [TestCaseSource(nameof(Cases))]
    public void Throws_its_exception_names_the_problem_and_leaves_the_store_as_it_was(Case badInput)
    {
        var folder = StoreTestKit.TempFolder();
        try
        {
            var db = Path.Combine(folder, "studies.db");
            File.Copy(_template, db);
            var before = Snapshot(folder);

            Exception? thrown;
            using (var store = new SqliteTrialStore(db))
            {
                thrown = Assert.Catch(() => badInput.Act(store));
            }

            Assert.That(thrown, Is.InstanceOf(badInput.Exception), thrown?.ToString());
            foreach (var part in badInput.Messages)
            {
                Assert.That(thrown!.Message, Does.Contain(part));
            }

            Assert.That(Snapshot(folder), Is.EqualTo(before), "the store keeps its bytes");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
