using System.Globalization;

namespace MLNetTuning.Tuners;

/// <summary>
/// The seconds a trial costs, for expected improvement per second with cost cooling: a second GP on the log of
/// completed trials' durations, and an exponent α that decays as the run spends its time, so the search favours
/// cheap configurations early and the best ones late (Snoek et al. 2012, "EI per second"; Lee et al. 2020,
/// "cost-aware Bayesian optimisation" with cost cooling).
/// </summary>
/// <remarks>
/// <para>The acquisition becomes log EI(x) − α·log ĉ(x), where ĉ is the cost GP's predicted duration. It applies
/// only when costs matter (<see cref="Fit"/>): at least <see cref="MinTrials"/> completed trials, trials taking
/// <see cref="MinMeanSeconds"/> or more on average (cheaper trials cost less than a GP proposal, so their spread
/// is noise), and the slowest quarter of the trials taking at least <see cref="MinSpread"/> times as long as the
/// fastest quarter. Uniform costs therefore leave proposals unchanged.</para>
/// <para>α: with a time budget T, (T − spent) / (T − spent when cost-awareness began), clamped to [0, 1], as in
/// Lee et al.; spent is the study's elapsed time, from the first trial's start to the last completion. Without a
/// budget, √(m₀ / m), where m counts the completed trials and m₀ those when cost-awareness began.</para>
/// </remarks>
internal sealed class TrialCostModel
{
    /// <summary>Completed trials needed before costs are modelled.</summary>
    public const int MinTrials = 4;

    /// <summary>The least mean trial duration, in seconds, for costs to count.</summary>
    public const double MinMeanSeconds = 1;

    /// <summary>The least ratio between the slowest and the fastest quarter of the trials for costs to count.</summary>
    public const double MinSpread = 3;

    private readonly GaussianProcessModel _model;
    private readonly double[] _dMean;
    private readonly double[] _dVariance;
    private double[] _theta;
    private double _logMean;
    private double _logScale;
    private double? _spentAtStart;
    private int _trialsAtStart;

    /// <param name="groupOfFeature">The encoding's kernel dimension of each feature.</param>
    public TrialCostModel(int[] groupOfFeature)
    {
        _model = new GaussianProcessModel(groupOfFeature);
        _theta = GaussianProcessModel.DefaultTheta(_model.Groups);
        _dMean = new double[groupOfFeature.Length];
        _dVariance = new double[groupOfFeature.Length];
    }

    /// <summary>The cost exponent of the last fit (0 when costs did not count).</summary>
    public double Alpha { get; private set; }

    /// <summary>Decides whether costs count and, if so, fits the cost GP.</summary>
    /// <param name="x">Feature rows of the trials, <paramref name="seconds"/>.Count of them.</param>
    /// <param name="seconds">The completed trials' durations, in seconds, in the order of <paramref name="x"/>.</param>
    /// <param name="spent">The study's elapsed seconds so far.</param>
    /// <param name="budget">The study's time budget in seconds, or null.</param>
    /// <returns>Why the acquisition is per second (for the proposal's attributes), or null when costs do not count.</returns>
    public string? Fit(double[] x, IReadOnlyList<double> seconds, double spent, double? budget)
    {
        Alpha = 0;
        var m = seconds.Count;
        if (m < MinTrials || seconds.Average() < MinMeanSeconds)
        {
            return null;
        }

        var logs = seconds.Select(s => Math.Log(s)).ToArray();
        var sorted = logs.Order().ToArray();
        var quarter = Math.Max(1, m / 4);
        var spread = Math.Exp(sorted[^quarter..].Average() - sorted[..quarter].Average());
        if (spread < MinSpread)
        {
            return null;
        }

        if (_spentAtStart is null)
        {
            _spentAtStart = spent;
            _trialsAtStart = m;
        }

        string cooling;
        if (budget is double total)
        {
            var room = total - _spentAtStart.Value;
            Alpha = room > 0 ? Math.Clamp((total - spent) / room, 0, 1) : 0;
            cooling = string.Create(CultureInfo.InvariantCulture, $"{spent:0} of the budget's {total:0} s spent");
        }
        else
        {
            Alpha = Math.Sqrt((double)_trialsAtStart / m);
            cooling = string.Create(CultureInfo.InvariantCulture, $"no time budget, {m} trials timed");
        }

        var reason = string.Create(CultureInfo.InvariantCulture,
            $"EI per second^{Alpha:0.00}: the slowest quarter of {m} trials takes {spread:0.#}x as long as the fastest ({seconds.Min():0.##}-{seconds.Max():0.##} s); {cooling}");
        if (Alpha <= 0)
        {
            return reason;
        }

        _logMean = logs.Average();
        _logScale = Math.Sqrt(logs.Sum(v => (v - _logMean) * (v - _logMean)) / m);
        var y = logs.Select(v => (v - _logMean) / _logScale).ToArray();
        _model.Fit(x, y, m, _theta, m <= 100 ? 50 : 20);
        _theta = _model.Theta;
        return reason;
    }

    /// <summary>α·(predicted log seconds) at a feature vector, and its gradient when <paramref name="gradient"/> is not empty.</summary>
    public double Penalty(ReadOnlySpan<double> features, Span<double> gradient)
    {
        if (Alpha <= 0)
        {
            gradient.Clear();
            return 0;
        }

        if (gradient.IsEmpty)
        {
            _model.Predict(features, out var mean, out _);
            return Alpha * ((mean * _logScale) + _logMean);
        }

        _model.Predict(features, out var m, out _, _dMean, _dVariance);
        for (var f = 0; f < gradient.Length; f++)
        {
            gradient[f] = Alpha * _logScale * _dMean[f];
        }

        return Alpha * ((m * _logScale) + _logMean);
    }
}
