using MLNetTuning.Transfer;

namespace MLNetTuning.Tuners;

/// <summary>
/// A warm start's prior as the GP uses it, stacked as in Google Vizier's transfer learning (Golovin et al. 2017,
/// §3.3): a GP fitted once on the source study's trials (their losses standardised and warped as the GP's own) gives
/// its posterior mean as the prior mean of the new study's GP, which then models the residual of its own warped
/// losses. The source mean is scaled by the prior's weight relative to its first weight, so it fades as own trials
/// accumulate and is gone once the guard switches the prior off; a constant offset centres the residuals, as the
/// two studies' losses are standardised on different samples.
/// </summary>
/// <remarks>
/// A leaf that at most half of the source trials give (the new space added it, or most of its values were dropped)
/// is left out of the source GP: its features are held at a constant, so the prior mean is flat along it and says
/// nothing about it. A source trial that lacks one of the other leaves is left out of the source GP. Past
/// <c>maxTrials</c> source trials the source GP is fitted on the best half of that number and the rest at evenly
/// spaced ranks, so it still sees the source's whole range.
/// </remarks>
internal sealed class GaussianProcessPrior
{
    private readonly WarmStartPrior _source;
    private readonly GaussianProcessEncoding _encoding;
    private readonly int _maxTrials;
    private readonly bool[] _flatFeature;
    private GaussianProcessModel? _model;
    private List<PriorObservation>? _usable;

    public GaussianProcessPrior(WarmStartPrior source, GaussianProcessEncoding encoding, int maxTrials)
    {
        _source = source;
        _encoding = encoding;
        _maxTrials = maxTrials;
        var given = source.Observations.Select(o => PartialParameters.GivenCoordinates(encoding.Layout.Space, o.Parameters)).ToList();
        var leaves = encoding.Layout.Leaves;
        ModelledLeaves = leaves.Select(leaf => 2 * given.Count(g => g[leaf.Coordinate]) > given.Count).ToArray();
        _flatFeature = encoding.GroupOfFeature.Select(leaf => !ModelledLeaves[leaf]).ToArray();
    }

    /// <summary>Per leaf of the encoding, whether the source GP models it (else the prior mean is flat along it).</summary>
    public bool[] ModelledLeaves { get; }

    /// <summary>The source mean's current scale: the prior's weight after <paramref name="ownFinished"/> own trials
    /// over its first weight; 0 when switched off, of zero weight, or with fewer than two usable source trials.</summary>
    public double Scale(int ownFinished) =>
        _source.InitialWeight > 0 && Usable().Count >= 2 ? _source.WeightAt(ownFinished) / _source.InitialWeight : 0;

    /// <summary>The factor on the source mean in <see cref="Mean"/>.</summary>
    public double CurrentScale { get; private set; }

    /// <summary>The constant added in <see cref="Mean"/>.</summary>
    public double Offset { get; private set; }

    /// <summary>Sets the scale and centres the residuals <c>y − scale·m(x)</c> of the own points (features, row by row).</summary>
    /// <returns>The prior mean at each of the <paramref name="n"/> points.</returns>
    public double[] Centre(double[] x, double[] y, int n, double scale)
    {
        CurrentScale = scale;
        Offset = 0;
        var features = _encoding.FeatureCount;
        var means = new double[n];
        for (var i = 0; i < n; i++)
        {
            means[i] = Mean(x.AsSpan(i * features, features), []);
        }

        Offset = Enumerable.Range(0, n).Average(i => y[i] - means[i]);
        for (var i = 0; i < n; i++)
        {
            means[i] += Offset;
        }

        return means;
    }

    /// <summary>The prior mean <c>offset + scale·m(x)</c> at a feature vector; adds its gradient to <paramref name="dMean"/> unless empty.</summary>
    public double Mean(ReadOnlySpan<double> point, Span<double> dMean)
    {
        var model = Source();
        var flat = new double[point.Length];
        point.CopyTo(flat);
        for (var f = 0; f < flat.Length; f++)
        {
            if (_flatFeature[f])
            {
                flat[f] = 0;
            }
        }

        var gradient = dMean.IsEmpty ? [] : new double[flat.Length];
        var mean = model.Mean(flat, gradient);
        for (var f = 0; f < gradient.Length; f++)
        {
            dMean[f] += _flatFeature[f] ? 0 : CurrentScale * gradient[f];
        }

        return Offset + (CurrentScale * mean);
    }

    /// <summary>The source GP, fitted at first use.</summary>
    private GaussianProcessModel Source()
    {
        if (_model is not null)
        {
            return _model;
        }

        var usable = Usable().OrderBy(o => o.Loss).ToList();
        if (usable.Count > _maxTrials)
        {
            var best = _maxTrials / 2;
            var rest = usable.Count - best;
            var spread = _maxTrials - best;
            usable = [.. usable.Take(best), .. Enumerable.Range(1, spread).Select(i => usable[best - 1 + (int)Math.Round((double)i * rest / spread)])];
        }

        var features = _encoding.FeatureCount;
        var x = new double[usable.Count * features];
        for (var i = 0; i < usable.Count; i++)
        {
            // Missing values are completed from the defaults only so that the point encodes; their features are held flat.
            var point = _encoding.Encode(PartialParameters.Complete(_encoding.Layout.Space, usable[i].Parameters, null));
            var row = x.AsSpan(i * features, features);
            _encoding.Features(point, row);
            for (var f = 0; f < features; f++)
            {
                row[f] = _flatFeature[f] ? 0 : row[f];
            }
        }

        var model = new GaussianProcessModel(_encoding.GroupOfFeature);
        model.Fit(x, TargetWarp.Apply(usable.Select(o => o.Loss).ToList()), usable.Count, GaussianProcessModel.DefaultTheta(model.Groups), 50);
        return _model = model;
    }

    /// <summary>The source trials that give every modelled leaf.</summary>
    private List<PriorObservation> Usable() => _usable ??= _source.Observations.Where(o =>
    {
        var given = PartialParameters.GivenCoordinates(_encoding.Layout.Space, o.Parameters);
        return _encoding.Layout.Leaves.Select((leaf, i) => !ModelledLeaves[i] || given[leaf.Coordinate]).All(g => g);
    }).ToList();
}
