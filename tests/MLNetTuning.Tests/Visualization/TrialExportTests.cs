using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;

namespace MLNetTuning.Tests.Visualization;

public class TrialExportTests
{
    private static StudyResult ConditionalRun()
    {
        var study = new TuningStudy(new RandomTuner(SampleStudies.ConditionalSpace, new RandomTunerOptions { Seed = 2 }));
        return study.Optimize(
            c =>
            {
                c.SetAttribute("note", c.Trial.Id == 1 ? "a, \"quoted\" note" : "plain");
                return c.Trial.Id == 3 ? throw new InvalidOperationException("boom") : c.Parameters.Get<double>("x");
            },
            new StudyLimits { MaxTrials = 12 });
    }

    [Test]
    public void DataViewHasOneRowPerTrialWithParametersOnlyWhereActive()
    {
        var result = ConditionalRun();
        var view = result.ToDataView(new MLContext(1));
        var names = view.Schema.Select(c => c.Name).ToList();
        Assert.That(names, Is.EqualTo(new[] { "trial", "state", "value", "duration_seconds", "budget", "worker", "model", "model.linear.l2", "model.tree.leaves", "x", "attr.note" }));
        Assert.That(view.Schema["model.tree.leaves"].Type, Is.EqualTo(NumberDataViewType.Double));
        Assert.That(view.Schema["model"].Type, Is.EqualTo(TextDataViewType.Instance));

        var ids = view.GetColumn<int>("trial").ToList();
        var values = view.GetColumn<double>("value").ToList();
        var leaves = view.GetColumn<double>("model.tree.leaves").ToList();
        var states = view.GetColumn<ReadOnlyMemory<char>>("state").Select(m => m.ToString()).ToList();
        Assert.That(ids, Is.EqualTo(result.Trials.Select(t => t.Id)));
        Assert.That(states[3], Is.EqualTo("failed"));
        Assert.That(double.IsNaN(values[3]), Is.True);
        for (var i = 0; i < result.Trials.Count; i++)
        {
            var branch = ((BranchSelection)result.Trials[i].Parameters["model"]!);
            Assert.That(double.IsNaN(leaves[i]), Is.EqualTo(branch.Branch != "tree"), $"trial {i}");
        }
    }

    [Test]
    public void CsvRoundTripsValuesAndQuotesText()
    {
        var result = ConditionalRun();
        var path = Path.Combine(Path.GetTempPath(), $"trials-{Guid.NewGuid():N}.csv");
        try
        {
            result.ToCsv(path);
            var lines = File.ReadAllLines(path);
            Assert.That(lines, Has.Length.EqualTo(result.Trials.Count + 1));
            Assert.That(lines[0], Is.EqualTo("trial,state,value,duration_seconds,budget,worker,model,model.linear.l2,model.tree.leaves,x,attr.note"));
            Assert.That(lines[2], Does.EndWith(",\"a, \"\"quoted\"\" note\""));
            var first = lines[1].Split(',');
            Assert.That(double.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(result.Trials[0].Value));
        }
        finally
        {
            File.Delete(path);
        }

        var e = Assert.Throws<IOException>(() => result.ToCsv(Path.Combine(path, "no-such-folder", "x.csv")))!;
        Assert.That(e.Message, Does.StartWith("Cannot write the trials to"));
    }
}
