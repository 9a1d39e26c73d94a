using System.Globalization;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Pipelines;

/// <summary>What a budget amount means for one trial of an estimator (see <see cref="BudgetUnit.Apply"/>).</summary>
/// <param name="Parameters">The estimator's parameters of the trial.</param>
/// <param name="Amount">The amount of the unit to train (trees, iterations, epochs, a share of the data).</param>
/// <param name="TrialId">The trial.</param>
/// <param name="ParentTrialId">The trial it continues from (a promotion), or null: a unit whose trainer keeps
/// checkpoints (epochs) resumes from it; others retrain.</param>
/// <param name="Maximum">The amount at the full budget, or null when not known: a unit whose trainer schedules its
/// learning rate lays the schedule over it, so a shorter run is a prefix of the full one.</param>
public sealed record BudgetRequest(TrialParameters Parameters, double Amount, int TrialId, int? ParentTrialId, double? Maximum = null);

/// <summary>How to train one trial under a budget: the parameters to build with, and the share of the training rows.</summary>
/// <param name="Parameters">Parameters to build the estimator with.</param>
/// <param name="DataFraction">Share of the training rows, in (0, 1].</param>
public sealed record BudgetedTraining(TrialParameters Parameters, double DataFraction = 1);

/// <summary>
/// A unit a trainer's budget is counted in, with a default range. Built in: <see cref="DataFraction"/> (any
/// trainer), and integer parameters (<see cref="Trees"/>, <see cref="Iterations"/>) for the tree trainers. A
/// trainer that continues from checkpoints (epochs) derives its own unit.
/// </summary>
public abstract class BudgetUnit
{
    /// <summary>Creates a unit.</summary>
    /// <param name="name">Short name, e.g. "trees" (letters, digits and '-').</param>
    /// <param name="defaultMinimum">Amount at the tuner's smallest budget unless the user says otherwise.</param>
    /// <param name="defaultMaximum">Amount at the full budget unless the user says otherwise.</param>
    protected BudgetUnit(string name, double defaultMinimum, double defaultMaximum)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        CheckRange(defaultMinimum, defaultMaximum);
        DefaultMinimum = defaultMinimum;
        DefaultMaximum = defaultMaximum;
    }

    /// <summary>The data-fraction unit, for any trainer: a budget trains on a random share of the training rows
    /// (nested: a larger share contains a smaller one). Default range [0.1, 1].</summary>
    public static BudgetUnit DataFraction { get; } = new DataFractionUnit();

    /// <summary>The unit's name.</summary>
    public string Name { get; }

    /// <summary>Default amount at the smallest budget.</summary>
    public double DefaultMinimum { get; }

    /// <summary>Default amount at the full budget.</summary>
    public double DefaultMaximum { get; }

    /// <summary>A unit that sets an integer parameter of the estimator's options to the amount (rounded).</summary>
    /// <param name="name">The unit's name ("trees").</param>
    /// <param name="parameterName">The options member it sets ("NumberOfTrees").</param>
    /// <param name="defaultMinimum">Default amount at the smallest budget, at least 1.</param>
    /// <param name="defaultMaximum">Default amount at the full budget.</param>
    public static BudgetUnit IntegerParameter(string name, string parameterName, double defaultMinimum, double defaultMaximum) =>
        new IntegerParameterUnit(name, parameterName, defaultMinimum, defaultMaximum);

    /// <summary>Number of trees (FastTree, FastForest), set through <c>NumberOfTrees</c>; default range [10, 200].</summary>
    public static BudgetUnit Trees { get; } = new IntegerParameterUnit("trees", "NumberOfTrees", 10, 200);

    /// <summary>Boosting iterations (LightGBM), set through <c>NumberOfIterations</c>; default range [10, 200].</summary>
    public static BudgetUnit Iterations { get; } = new IntegerParameterUnit("iterations", "NumberOfIterations", 10, 200);

    /// <summary>The parameter the unit sets, which a budgeted estimator no longer searches; null when none.</summary>
    public virtual string? ParameterName => null;

    /// <summary>Checks a range for this unit.</summary>
    /// <exception cref="ArgumentException">The range is empty, not positive, or outside what the unit allows.</exception>
    public virtual void CheckRange(double minimum, double maximum)
    {
        if (!double.IsFinite(minimum) || minimum <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum budget in {Name} must be a positive finite number.");
        }

        if (!double.IsFinite(maximum) || maximum < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(maximum), maximum, $"The maximum budget in {Name} must be a finite number at least the minimum ({minimum}).");
        }
    }

    /// <summary>How to train a trial with <see cref="BudgetRequest.Amount"/> of this unit.</summary>
    public abstract BudgetedTraining Apply(BudgetRequest request);

    /// <summary>The amount as shown with a trial, e.g. "37 trees".</summary>
    public virtual string Describe(double amount) => $"{amount.ToString("0.###", CultureInfo.InvariantCulture)} {Name}";

    /// <inheritdoc/>
    public override string ToString() => Name;

    private sealed class DataFractionUnit() : BudgetUnit("data-fraction", 0.1, 1)
    {
        public override void CheckRange(double minimum, double maximum)
        {
            base.CheckRange(minimum, maximum);
            if (maximum > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maximum), maximum, "A data fraction is at most 1.");
            }
        }

        public override BudgetedTraining Apply(BudgetRequest request) => new(request.Parameters, Math.Min(1, request.Amount));

        public override string Describe(double amount) => $"{amount.ToString("0.###", CultureInfo.InvariantCulture)} of the rows";
    }

    private sealed class IntegerParameterUnit(string name, string parameterName, double defaultMinimum, double defaultMaximum)
        : BudgetUnit(name, defaultMinimum, defaultMaximum)
    {
        public override string ParameterName => parameterName;

        public override void CheckRange(double minimum, double maximum)
        {
            base.CheckRange(minimum, maximum);
            if (minimum < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum budget in {Name} must be at least 1.");
            }
        }

        public override BudgetedTraining Apply(BudgetRequest request) =>
            new(request.Parameters.With(parameterName, Math.Max(1, (int)Math.Round(request.Amount))));

        public override string Describe(double amount) => $"{Math.Max(1, (int)Math.Round(amount))} {Name}";
    }
}

/// <summary>A trainer's budget: a unit and the amounts at the tuner's smallest and full budget.</summary>
public sealed class TrainingBudget
{
    /// <summary>Creates a budget.</summary>
    /// <exception cref="ArgumentException">The range is invalid for the unit.</exception>
    public TrainingBudget(BudgetUnit unit, double? minimum = null, double? maximum = null)
    {
        Unit = unit ?? throw new ArgumentNullException(nameof(unit));
        Minimum = minimum ?? unit.DefaultMinimum;
        Maximum = maximum ?? Math.Max(unit.DefaultMaximum, Minimum);
        unit.CheckRange(Minimum, Maximum);
    }

    /// <summary>The unit.</summary>
    public BudgetUnit Unit { get; }

    /// <summary>Amount at the tuner's smallest budget.</summary>
    public double Minimum { get; }

    /// <summary>Amount at the tuner's full budget.</summary>
    public double Maximum { get; }

    /// <summary>
    /// The amount for a tuner budget: the tuner's range [min, max] is stretched over [<see cref="Minimum"/>,
    /// <see cref="Maximum"/>] on a log scale, so the tuner's rungs (η apart) stay evenly spaced in every unit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget is outside the tuner's range.</exception>
    public double AmountFor(double budget, double tunerMinimum, double tunerMaximum) => AmountAt(PositionOf(budget, tunerMinimum, tunerMaximum));

    /// <summary>Where a tuner budget lies on the tuner's range: 0 at its minimum, 1 at its maximum, on a log scale.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget is outside the tuner's range.</exception>
    public static double PositionOf(double budget, double tunerMinimum, double tunerMaximum)
    {
        const double slack = 1e-9;
        if (!double.IsFinite(budget) || budget < tunerMinimum * (1 - slack) || budget > tunerMaximum * (1 + slack))
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"The budget {budget} is outside the tuner's range [{tunerMinimum}, {tunerMaximum}].");
        }

        return tunerMaximum <= tunerMinimum ? 1 : Math.Clamp(Math.Log(budget / tunerMinimum) / Math.Log(tunerMaximum / tunerMinimum), 0, 1);
    }

    /// <summary>The amount at a position in [0, 1] of the range on a log scale: <see cref="Minimum"/> at 0, <see cref="Maximum"/> at 1.</summary>
    public double AmountAt(double position) => Minimum * Math.Pow(Maximum / Minimum, Math.Clamp(position, 0, 1));

    /// <inheritdoc/>
    public override string ToString() => $"{Unit.Name} [{Minimum}, {Maximum}]";
}
