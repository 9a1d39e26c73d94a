using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Tests.Pipelines;

/// <summary>
/// The two ML.NET internals tuning reaches by reflection (MLNetInternals) must still be there in the ML.NET the
/// pack ships with: both fall back silently, so only these tests notice when a new ML.NET moves them.
/// </summary>
public class MLNetInternalsTests
{
    private sealed class Row
    {
        public float A { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [Test]
    public void ShapeOfDescribesEveryColumnOfTheSchema()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new Row { A = 1, Features = [1, 2, 3], Label = true } });

        var shape = MLNetInternals.ShapeOf(data.Schema);

        Assert.That(shape, Is.Not.Null, "SchemaShape.Create(DataViewSchema) is gone from this ML.NET");
        Assert.That(shape!.Select(c => c.Name), Is.EqualTo(new[] { "A", "Features", "Label" }));
        Assert.That(shape!.First(c => c.Name == "Features").Kind, Is.EqualTo(SchemaShape.Column.VectorKind.Vector));
    }

    [Test]
    public void CancelExecutionStopsARunningTrainer()
    {
        var context = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 5000).Select(_ => new Row { A = random.NextSingle(), Features = [random.NextSingle(), random.NextSingle(), random.NextSingle()], Label = random.Next(2) == 0 }).ToArray();
        var data = context.Data.LoadFromEnumerable(rows);
        var trainer = context.BinaryClassification.Trainers.FastTree(numberOfTrees: 100_000, numberOfLeaves: 64, minimumExampleCountPerLeaf: 1);

        var fit = Task.Run(() => trainer.Fit(data));
        Thread.Sleep(500);
        MLNetInternals.CancelExecution(context);

        var error = Assert.Throws<AggregateException>(() => fit.Wait(TimeSpan.FromSeconds(60)));
        Assert.That(error!.Flatten().InnerExceptions, Has.Some.InstanceOf<OperationCanceledException>(), error.ToString());
    }
}
