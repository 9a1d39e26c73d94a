using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using MLNetTuning.Benchmarks.Functions;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Benchmarks;

/// <summary>A family of the `retune` benchmark: a target task, a related source (the same task before a change) and an
/// unrelated source (another task on the same space). Losses are minimised.</summary>
/// <param name="Name">The family's name in the output.</param>
/// <param name="Space">The space every study of the family searches.</param>
/// <param name="Target">The task re-tuned.</param>
/// <param name="RelatedSource">The task as it was before the change.</param>
/// <param name="UnrelatedSource">A different task on the same space.</param>
/// <param name="Description">How the tasks differ, for the output.</param>
public sealed record RetuneFamily(string Name, HyperparameterSpace Space, Func<TrialParameters, double> Target, Func<TrialParameters, double> RelatedSource, Func<TrialParameters, double> UnrelatedSource, string Description);

/// <summary>The families of `retune`: shifted test functions and generated classification data that drifts.</summary>
public static class RetuneFamilies
{
    /// <summary>Every family, by name; the data sets are generated only when a family is resolved.</summary>
    public static IReadOnlyList<string> Names { get; } = ["shifted-hartmann6", "shifted-branin", "drifting-classification"];

    /// <summary>Families from a comma-separated list, or every family for "all".</summary>
    public static IReadOnlyList<RetuneFamily> Resolve(string names) =>
        (names == "all" ? Names : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Select(n => n switch
        {
            "shifted-hartmann6" => ShiftedHartmann6(),
            "shifted-branin" => ShiftedBranin(),
            "drifting-classification" => DriftingClassification(),
            _ => throw new ArgumentException($"Unknown family '{n}'. Known: {string.Join(", ", Names)}, all."),
        })
        .ToList();

    /// <summary>Hartmann-6 on [0, 1]^6; the target's optimum is the source's moved by +0.1 (10% of each range) in every
    /// coordinate. Unrelated: Styblinski–Tang in 6-D with the box mapped reversed onto [−5, 5], its optimum near 0.79 in
    /// every coordinate.</summary>
    private static RetuneFamily ShiftedHartmann6()
    {
        var space = ClassicFunctions.Hartmann6.Space;
        static double[] X(TrialParameters p) => Enumerable.Range(0, 6).Select(i => p.Get<double>($"x{i}")).ToArray();
        return new RetuneFamily(
            "shifted-hartmann6",
            space,
            p => ClassicFunctions.Hartmann6Value(X(p).Select(v => v - 0.1).ToArray()),
            p => ClassicFunctions.Hartmann6Value(X(p)),
            p => 0.5 * X(p).Select(v => 5 - (10 * v)).Sum(v => (v * v * v * v) - (16 * v * v) + (5 * v)),
            "Hartmann-6, optimum moved by +0.1 per coordinate (10% of [0, 1]); unrelated: Styblinski-Tang-6 on the reversed box");
    }

    /// <summary>Branin on [−5, 10] × [0, 15]; the target's optima are the source's moved by +1.5 in both coordinates
    /// (10% of each range). Unrelated: Rosenbrock in 2-D with the box mapped onto [3.5, −0.5] × [3, −1]: one curved
    /// valley with its minimum at (4.375, 7.5), where Branin has none.</summary>
    private static RetuneFamily ShiftedBranin()
    {
        var space = ClassicFunctions.Branin.Space;
        return new RetuneFamily(
            "shifted-branin",
            space,
            p => ClassicFunctions.BraninValue(p.Get<double>("x0") - 1.5, p.Get<double>("x1") - 1.5),
            p => ClassicFunctions.BraninValue(p.Get<double>("x0"), p.Get<double>("x1")),
            p =>
            {
                var a = 3.5 - ((p.Get<double>("x0") + 5) / 15 * 4);
                var b = 3 - (p.Get<double>("x1") / 15 * 4);
                return (100 * Math.Pow(b - (a * a), 2)) + Math.Pow(1 - a, 2);
            },
            "Branin, optima moved by +1.5 per coordinate (10% of each range); unrelated: Rosenbrock-2 on a mapped box");
    }

    /// <summary>LightGBM's validation log-loss on generated binary data (10 features, a linear logit plus one interaction).
    /// The target's coefficients differ from the source's by 20% in relative L2 norm, its rows are drawn anew. Unrelated:
    /// a different generated data set (a radial rule on 3 of 10 features, 20% of labels flipped, 300 training rows).</summary>
    private static RetuneFamily DriftingClassification()
    {
        var random = new Random(20);
        var weights = Enumerable.Range(0, 10).Select(_ => Gaussian(random)).ToArray();
        var norm = Math.Sqrt(weights.Sum(w => w * w));
        weights = weights.Select(w => w * 3 / norm).ToArray();
        var change = Enumerable.Range(0, 10).Select(_ => Gaussian(random)).ToArray();
        var changeNorm = Math.Sqrt(change.Sum(c => c * c));
        var drifted = weights.Select((w, i) => w + (change[i] * 0.2 * 3 / changeNorm)).ToArray();

        var ml = new MLContext(seed: 0);
        var space = HyperparameterSpace.CreateBuilder()
            .Double("learning_rate", 0.005, 0.5, logScale: true)
            .Int("leaves", 2, 128, logScale: true)
            .Int("min_leaf", 1, 200, logScale: true)
            .Double("l2", 1e-4, 100, logScale: true)
            .Double("feature_fraction", 0.3, 1)
            .Build();
        return new RetuneFamily(
            "drifting-classification",
            space,
            Objective(ml, LinearRows(drifted, 600, 101), LinearRows(drifted, 600, 102)),
            Objective(ml, LinearRows(weights, 600, 1), LinearRows(weights, 600, 2)),
            Objective(ml, RadialRows(300, 201), RadialRows(600, 202)),
            "LightGBM (50 trees, 600 training and 600 validation rows) validation log-loss; generated data, coefficients changed by 20% relative L2; unrelated: another generated data set");
    }

    private static Func<TrialParameters, double> Objective(MLContext ml, List<Row> trainRows, List<Row> validationRows)
    {
        var train = ml.Data.Cache(ml.Data.LoadFromEnumerable(trainRows));
        var validation = ml.Data.Cache(ml.Data.LoadFromEnumerable(validationRows));
        return p =>
        {
            var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = 50,
                LearningRate = p.Get<double>("learning_rate"),
                NumberOfLeaves = p.Get<int>("leaves"),
                MinimumExampleCountPerLeaf = p.Get<int>("min_leaf"),
                NumberOfThreads = 1,
                Seed = 1,
                Booster = new GradientBooster.Options { L2Regularization = p.Get<double>("l2"), FeatureFraction = p.Get<double>("feature_fraction") },
            });
            var model = trainer.Fit(train);
            return ml.BinaryClassification.Evaluate(model.Transform(validation)).LogLoss;
        };
    }

    private static List<Row> LinearRows(double[] weights, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, weights.Length).Select(_ => (float)Gaussian(random)).ToArray();
            var logit = x.Select((v, i) => v * weights[i]).Sum() + (1.5 * x[0] * x[1]);
            return new Row { Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)), Features = x };
        }).ToList();
    }

    private static List<Row> RadialRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, 10).Select(_ => (float)Gaussian(random)).ToArray();
            var inside = (x[0] * x[0]) + (x[1] * x[1]) + (x[2] * x[2]) < 2.4;
            return new Row { Label = inside ^ (random.NextDouble() < 0.2), Features = x };
        }).ToList();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(10)]
        public float[] Features { get; set; } = [];
    }
}
