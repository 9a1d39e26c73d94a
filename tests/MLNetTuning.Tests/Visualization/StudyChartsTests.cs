using System.Text.Json.Nodes;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using MLNetTuning.Visualization;

namespace MLNetTuning.Tests.Visualization;

public class StudyChartsTests
{
    private static StudySnapshot? _hyperband;
    private static StudySnapshot? _pbt;
    private static StudySnapshot? _conditional;

    private static StudySnapshot HyperbandStudy => _hyperband ??= SampleStudies.Hyperband();

    private static StudySnapshot PbtStudy => _pbt ??= SampleStudies.Pbt();

    private static StudySnapshot ConditionalStudy => _conditional ??= SampleStudies.Conditional();

    private static JsonArray Data(StudyChart chart) => JsonNode.Parse(chart.ToJson())!["data"]!.AsArray();

    private static JsonNode Layout(StudyChart chart) => JsonNode.Parse(chart.ToJson())!["layout"]!;

    private static JsonNode Trace(StudyChart chart, string name) => Data(chart).Single(t => (string?)t!["name"] == name)!;

    [Test]
    public void HistoryShowsEveryCompletedTrialAndAMonotoneBestSoFar()
    {
        var study = ConditionalStudy;
        var chart = StudyCharts.OptimizationHistory(study)!;
        var completed = study.Completed;
        Assert.That(Trace(chart, "completed")["x"]!.AsArray().Select(x => (int)(double)x!), Is.EqualTo(completed.Select(t => t.Id)));
        var best = Trace(chart, "best so far")["y"]!.AsArray().Select(y => (double)y!).ToList();
        Assert.That(best, Is.Ordered, "maximising: the best so far never falls");
        Assert.That(best[^1], Is.EqualTo(completed.Max(t => t.Value)));
    }

    [Test]
    public void IntermediateValuesDrawCurvesMarkPrunedTrialsAndRungs()
    {
        var study = HyperbandStudy;
        var chart = StudyCharts.IntermediateValues(study)!;
        var names = Data(chart).Select(t => (string)t!["name"]!).ToList();
        Assert.That(names, Has.Some.StartsWith("completed ("));
        Assert.That(names, Has.Some.StartsWith("rung 0").And.Some.StartsWith("rung 1"));
        var curvePoints = Data(chart).Where(t => ((string)t!["name"]!).Contains('(')).Sum(t => t!["y"]!.AsArray().Count(y => y is not null));
        Assert.That(curvePoints, Is.EqualTo(study.Trials.Sum(t => t.IntermediateValues.Count)));
        Assert.That(Layout(chart)["shapes"]!.AsArray(), Is.Not.Empty, "dashed lines at the rungs' budgets");
    }

    [Test]
    public void BracketsPutEveryRungTrialInItsColumn()
    {
        var study = HyperbandStudy;
        var chart = StudyCharts.HyperbandBrackets(study)!;
        var brackets = study.Trials.Where(t => t.Value is not null).Select(t => t.Attributes["bracket"]).Distinct().Count();
        Assert.That(Data(chart), Has.Count.EqualTo(brackets));
        Assert.That(Data(chart).Sum(t => t!["y"]!.AsArray().Count), Is.EqualTo(study.Trials.Count(t => t.Value is not null)));
        Assert.That(StudyCharts.HyperbandBrackets(ConditionalStudy), Is.Null, "no brackets in a random search");
    }

    [Test]
    public void PbtLineageLinksIntervalsAndMarksExploits()
    {
        var study = PbtStudy;
        var chart = StudyCharts.PbtLineage(study)!;
        var exploits = study.Trials.Count(t => t.Attributes.GetValueOrDefault("pbt.note", "").Contains("exploit"));
        Assert.That(exploits, Is.GreaterThan(0), "the sample PBT study exploits");
        Assert.That(Trace(chart, "exploit + explore")["x"]!.AsArray(), Has.Count.EqualTo(exploits));
        Assert.That((string)Trace(chart, "exploit + explore")["text"]![0]!, Does.Contain("explore"));
        Assert.That(StudyCharts.PbtLineage(HyperbandStudy), Is.Null);
    }

    [Test]
    public void ConditionalParametersAppearOnlyWhereTheirBranchWasChosen()
    {
        var study = ConditionalStudy;
        var tree = study.Completed.Where(t => ((BranchSelection)t.Parameters["model"]!).Branch == "tree").ToList();
        Assert.That(study.Parameters.Names, Is.EqualTo(new[] { "model", "model.linear.l2", "model.tree.leaves", "x" }));

        var slice = StudyCharts.Slice(study)!;
        Assert.That(Trace(slice, "model.tree.leaves")["x"]!.AsArray(), Has.Count.EqualTo(tree.Count));

        var parallel = StudyCharts.ParallelCoordinates(study)!;
        var leaves = Data(parallel)[0]!["dimensions"]!.AsArray().Single(d => (string?)d!["label"] == "model.tree.leaves")!;
        Assert.That((string)leaves["ticktext"]![0]!, Is.EqualTo("not chosen"));
        var mark = (double)leaves["tickvals"]![0]!;
        Assert.That(leaves["values"]!.AsArray().Count(v => (double)v! == mark), Is.EqualTo(study.Completed.Count - tree.Count));

        Assert.That(StudyCharts.Contour(study, "model.tree.leaves", "model.linear.l2"), Is.Null, "never active together");
        var contour = StudyCharts.Contour(study, "model.tree.leaves", "x")!;
        Assert.That(Trace(contour, "trials")["x"]!.AsArray(), Has.Count.EqualTo(tree.Count));
    }

    [Test]
    public void ImportanceChartShowsEveryParameterAndTheReasonWhenItCannot()
    {
        var (chart, reason) = StudyCharts.Importance(HyperbandStudy);
        Assert.That(reason, Is.Null);
        Assert.That(Data(chart!)[0]!["y"]!.AsArray().Select(n => (string)n!), Is.EquivalentTo(new[] { "lr", "optimizer", "x" }));

        var oneTrial = new StudySnapshot("s", OptimizationDirection.Minimize, HyperbandStudy.Trials.Take(1).ToList(), SampleStudies.Space);
        var (none, why) = StudyCharts.Importance(oneTrial);
        Assert.That(none, Is.Null);
        Assert.That(why, Does.Contain("at least two completed trials"));
    }

    [Test]
    public void EdfRisesToOneOverTheSortedValues()
    {
        var chart = StudyCharts.EmpiricalDistribution(ConditionalStudy)!;
        var x = Data(chart)[0]!["x"]!.AsArray().Select(v => (double)v!).ToList();
        var y = Data(chart)[0]!["y"]!.AsArray().Select(v => (double)v!).ToList();
        Assert.That(x, Is.Ordered);
        Assert.That((y[0], y[^1]), Is.EqualTo((1.0 / x.Count, 1.0)));
    }

    [Test]
    public void TimelineHasOneBarPerFinishedTrialOnItsWorker()
    {
        var study = HyperbandStudy;
        var chart = StudyCharts.Timeline(study)!;
        Assert.That(Data(chart).Sum(t => t!["x"]!.AsArray().Count), Is.EqualTo(study.Trials.Count(t => t.CompletedAt is not null)));
        Assert.That(Data(chart).All(t => (string?)t!["type"] == "bar" && (string?)t["orientation"] == "h"), Is.True);
    }

    [Test]
    public void BigStudiesAreSubsampledAndTheChartSaysSo()
    {
        var space = HyperparameterSpace.CreateBuilder().Double("a", 0, 1).Double("b", 0, 1).Build();
        var trials = Importance.FanovaImportanceTests.RandomTrials(space, p => p.Get<double>("a"), 5000);
        var study = new StudySnapshot("big", OptimizationDirection.Minimize, trials, space);
        var parallel = StudyCharts.ParallelCoordinates(study)!;
        Assert.That(parallel.Note, Does.Contain($"{StudyCharts.MaxMarks} of 5000"));
        Assert.That(parallel.Title, Does.Contain("subsampled"));
        Assert.That(Data(parallel)[0]!["dimensions"]![0]!["values"]!.AsArray(), Has.Count.EqualTo(StudyCharts.MaxMarks));
        var best = trials.Min(t => t.Value!.Value);
        Assert.That(Data(parallel)[0]!["dimensions"]![2]!["values"]!.AsArray().Min(v => (double)v!), Is.EqualTo(best), "the best trial is kept");
        Assert.That((string?)Data(StudyCharts.OptimizationHistory(study)!)[0]!["type"], Is.EqualTo("scattergl"));
        Assert.That(StudyCharts.OptimizationHistory(study)!.Note, Is.Null, "history shows every trial");
    }

    [Test]
    public void AStoredStudyIsReadThroughTheStoreAndAnUnknownOneNamesTheKnown()
    {
        var store = new InMemoryTrialStore();
        store.OpenStudy("runs", SampleStudies.Space, OptimizationDirection.Minimize);
        foreach (var t in HyperbandStudy.Trials)
        {
            store.Save("runs", t);
        }

        var snapshot = StudySnapshot.Load(store, "runs");
        Assert.That(snapshot.Trials, Has.Count.EqualTo(HyperbandStudy.Trials.Count));
        Assert.That(snapshot.Parameters.LogScale, Is.EquivalentTo(new[] { "lr" }));
        var e = Assert.Throws<KeyNotFoundException>(() => StudySnapshot.Load(store, "nope"))!;
        Assert.That(e.Message, Does.Contain("no study 'nope'").And.Contain("runs"));
    }

    [Test]
    public void ChartsOfAStudyWithoutCompletedTrialsAreNull()
    {
        var study = new StudySnapshot("empty", OptimizationDirection.Minimize, [], SampleStudies.Space);
        Assert.That(
            new object?[] { StudyCharts.OptimizationHistory(study), StudyCharts.ParallelCoordinates(study), StudyCharts.Slice(study), StudyCharts.EmpiricalDistribution(study), StudyCharts.Timeline(study), StudyCharts.IntermediateValues(study) },
            Is.All.Null);
    }

    [Test]
    public void A_log_scale_parameter_of_a_branch_whose_trials_all_failed_gets_no_ticks_instead_of_breaking_the_chart()
    {
        // As when every trial of one trainer fails (Poisson regression on negative labels).
        var study = new TuningStudy(new RandomTuner(SampleStudies.ConditionalSpace, new RandomTunerOptions { Seed = 5 }), new TuningStudyOptions { Direction = OptimizationDirection.Maximize });
        var result = study.Optimize(
            c => ((BranchSelection)c.Parameters["model"]!).Branch == "linear" ? throw new InvalidOperationException("diverged") : c.Parameters.Get<double>("x"),
            new StudyLimits { MaxTrials = 20 });
        var snapshot = StudySnapshot.From(result, SampleStudies.ConditionalSpace, "failing-branch");
        Assert.That(result.Trials.Any(t => t.State == TrialState.Failed), "the random tuner drew the failing branch");

        var parallel = StudyCharts.ParallelCoordinates(snapshot)!;

        var l2 = Data(parallel)[0]!["dimensions"]!.AsArray().Single(d => (string?)d!["label"] == "model.linear.l2")!;
        Assert.That((string?)l2["ticktext"]![0], Is.EqualTo("not chosen"));
        var mark = (double)l2["tickvals"]![0]!;
        Assert.That(l2["values"]!.AsArray().Select(v => (double)v!), Is.All.EqualTo(mark), "no completed trial chose the failing branch");
    }
}
