namespace MLNetTuning.Tuners;

/// <summary>
/// A Gaussian process of zero mean (or a warm start's prior mean, <see cref="Prior"/>) on the targets it is given
/// (the tuner gives it warped losses shifted so the worst is 0, which makes the worst loss its prior mean), with a
/// Matérn-5/2 kernel, one length scale per kernel
/// dimension (a number, or the one-hot block of a choice), an amplitude and a noise variance. The hyperparameters
/// are the maximum a posteriori point of the marginal likelihood under weak log-normal priors.
/// </summary>
/// <remarks>
/// Hyperparameters θ = (log amplitude, log length scales…, log noise). Priors: log amplitude ~ N(0, 1); each log
/// length scale ~ N(½·ln D − ½, 3) on features in [0, 1], a median of 0.61·√D: the dimension scaling of Hvarfner
/// et al. (2024), with a shorter centre than their e^√2·√D. With the worst loss as prior mean the model should stay
/// local early on; among the centres e^√2, e^0.7, 1, e^−0.5 and e^−1 (times √D), e^−0.5 reached lower regret at
/// 25 and 50 trials on four benchmark functions (seeds 0–19), which held on seeds 100–119; log noise ~ N(ln 10⁻⁴, 3²), wide enough for noise-free targets to drive the noise
/// to its floor of 10⁻⁸.
/// </remarks>
internal sealed class GaussianProcessModel
{
    private const double Sqrt5 = 2.2360679774997896964;
    private static readonly double LengthPriorScale = Math.Sqrt(3);

    private readonly int[] _groupOfFeature;
    private readonly int _features;
    private double[] _x = [];
    private double[] _l = [];
    private double[] _alpha = [];
    private double[] _inverseSquaredLength = [];

    /// <param name="groupOfFeature">For each feature, the kernel dimension (length scale) it belongs to.</param>
    public GaussianProcessModel(int[] groupOfFeature)
    {
        _groupOfFeature = groupOfFeature;
        _features = groupOfFeature.Length;
        Groups = groupOfFeature.Length == 0 ? 0 : groupOfFeature.Max() + 1;
        Theta = DefaultTheta(Groups);
    }

    /// <summary>Number of kernel dimensions (length scales).</summary>
    public int Groups { get; }

    /// <summary>Current hyperparameters (log amplitude, log length scales, log noise).</summary>
    public double[] Theta { get; private set; }

    /// <summary>Number of conditioned points.</summary>
    public int Count { get; private set; }

    /// <summary>A warm start's prior mean, added to every prediction; the targets it is conditioned on must then be
    /// the residuals from it (see <see cref="GaussianProcessPrior"/>). Null: a zero mean.</summary>
    public GaussianProcessPrior? Prior { get; set; }

    /// <summary>The fitted length scales.</summary>
    public double[] LengthScales => Theta.Skip(1).Take(Groups).Select(Math.Exp).ToArray();

    /// <summary>The fitted noise variance (of standardised targets).</summary>
    public double Noise => Math.Exp(Theta[^1]);

    private double Amplitude => Math.Exp(Theta[0]);

    private double LengthPriorMean => (0.5 * Math.Log(Math.Max(1, Groups))) - 0.5;

    /// <summary>The starting point of a fit: unit amplitude, length scales of half the unit cube, little noise.</summary>
    public static double[] DefaultTheta(int groups)
    {
        var theta = new double[groups + 2];
        for (var g = 0; g < groups; g++)
        {
            theta[1 + g] = Math.Log(0.5);
        }

        theta[^1] = Math.Log(1e-4);
        return theta;
    }

    /// <summary>Fits θ by MAP from <paramref name="start"/> with at most <paramref name="iterations"/> quasi-Newton steps, then conditions on the data.</summary>
    /// <returns>The negative log posterior reached.</returns>
    public double Fit(double[] x, double[] y, int n, double[] start, int iterations)
    {
        var theta = (double[])start.Clone();
        var low = new double[theta.Length];
        var high = new double[theta.Length];
        low[0] = Math.Log(0.05);
        high[0] = Math.Log(20);
        for (var g = 0; g < Groups; g++)
        {
            low[1 + g] = Math.Log(0.01);
            high[1 + g] = Math.Log(100);
        }

        low[^1] = Math.Log(1e-8);
        high[^1] = Math.Log(1);
        var value = BoundedLbfgs.Minimise((t, grad) => NegativeLogPosterior(x, y, n, t, grad), theta, low, high, iterations);
        if (!double.IsFinite(value))
        {
            theta = DefaultTheta(Groups);
            value = NegativeLogPosterior(x, y, n, theta, new double[theta.Length]);
        }

        Condition(x, y, n, theta);
        return value;
    }

    /// <summary>Conditions on data with fixed hyperparameters (no fit), as for constant-liar points.</summary>
    public void Condition(double[] x, double[] y, int n, double[] theta)
    {
        Theta = (double[])theta.Clone();
        SetLengths();
        var noise = Noise;
        while (true)
        {
            _l = KernelMatrix(x, n, Amplitude, noise);
            if (Cholesky.Decompose(_l, n))
            {
                break;
            }

            // Near-duplicate points: add jitter until the matrix factors.
            noise = Math.Max(noise * 10, 1e-8);
        }

        _x = x;
        Count = n;
        _alpha = (double[])y[..n].Clone();
        Cholesky.SolveLower(_l, n, _alpha);
        Cholesky.SolveUpper(_l, n, _alpha);
    }

    /// <summary>Posterior mean and variance of the latent function at a feature vector.</summary>
    public void Predict(ReadOnlySpan<double> point, out double mean, out double variance)
    {
        var k = new double[Count];
        for (var i = 0; i < Count; i++)
        {
            k[i] = Amplitude * Matern(Math.Sqrt(SquaredDistance(point, i)), out _);
        }

        mean = Cholesky.Dot(k, _alpha);
        Cholesky.SolveLower(_l, Count, k);
        variance = Math.Max(Amplitude - Cholesky.Dot(k, k), 1e-12 * Amplitude);
        if (Prior is not null)
        {
            mean += Prior.Mean(point, []);
        }
    }

    /// <summary>Posterior mean of the latent function (without <see cref="Prior"/>); adds its gradient to <paramref name="dMean"/> unless empty.</summary>
    public double Mean(ReadOnlySpan<double> point, Span<double> dMean)
    {
        var mean = 0.0;
        for (var i = 0; i < Count; i++)
        {
            var k = Amplitude * Matern(Math.Sqrt(SquaredDistance(point, i)), out var slope);
            mean += k * _alpha[i];
            if (dMean.IsEmpty)
            {
                continue;
            }

            var a = Amplitude * slope * _alpha[i];
            var row = _x.AsSpan(i * _features, _features);
            for (var f = 0; f < _features; f++)
            {
                dMean[f] += a * (point[f] - row[f]) * _inverseSquaredLength[f];
            }
        }

        return mean;
    }

    /// <summary>Posterior mean and variance, with their gradients with respect to the features.</summary>
    public void Predict(ReadOnlySpan<double> point, out double mean, out double variance, Span<double> dMean, Span<double> dVariance)
    {
        var n = Count;
        var k = new double[n];
        var slope = new double[n];
        for (var i = 0; i < n; i++)
        {
            var r = Math.Sqrt(SquaredDistance(point, i));
            k[i] = Amplitude * Matern(r, out var s);
            slope[i] = Amplitude * s;
        }

        mean = Cholesky.Dot(k, _alpha);
        var w = k;
        Cholesky.SolveLower(_l, n, w);
        var raw = Amplitude - Cholesky.Dot(w, w);
        variance = Math.Max(raw, 1e-12 * Amplitude);
        Cholesky.SolveUpper(_l, n, w);
        dMean.Clear();
        dVariance.Clear();
        for (var i = 0; i < n; i++)
        {
            // ∂k_i/∂x_f = slope_i·(x_f − X_if)/ℓ_f², slope = amplitude·(−5/3)(1 + √5r)e^(−√5r).
            var row = _x.AsSpan(i * _features, _features);
            var a = slope[i] * _alpha[i];
            var b = -2 * slope[i] * w[i];
            for (var f = 0; f < _features; f++)
            {
                var d = (point[f] - row[f]) * _inverseSquaredLength[f];
                dMean[f] += a * d;
                dVariance[f] += b * d;
            }
        }

        if (raw < 1e-12 * Amplitude)
        {
            dVariance.Clear();
        }

        if (Prior is not null)
        {
            mean += Prior.Mean(point, dMean);
        }
    }

    /// <summary>−(log marginal likelihood + log prior) and its gradient in θ.</summary>
    internal double NegativeLogPosterior(double[] x, double[] y, int n, double[] theta, double[] gradient)
    {
        Theta = theta;
        SetLengths();
        var amplitude = Amplitude;
        var noise = Noise;
        var l = KernelMatrix(x, n, amplitude, noise);
        if (!Cholesky.Decompose(l, n))
        {
            return double.PositiveInfinity;
        }

        var alpha = (double[])y[..n].Clone();
        Cholesky.SolveLower(l, n, alpha);
        var fit = Cholesky.Dot(alpha, alpha);
        Cholesky.SolveUpper(l, n, alpha);
        var logDet = 0.0;
        for (var i = 0; i < n; i++)
        {
            logDet += Math.Log(l[(i * n) + i]);
        }

        var value = (0.5 * fit) + logDet + (0.5 * n * Math.Log(2 * Math.PI));

        // ∂(−LML)/∂θ = −½·tr(W·∂K/∂θ), W = ααᵀ − K⁻¹.
        var inverse = Cholesky.Inverse(l, n);
        Array.Clear(gradient);
        var perGroup = new double[Groups];
        for (var i = 0; i < n; i++)
        {
            var wii = (alpha[i] * alpha[i]) - inverse[(i * n) + i];
            gradient[0] -= 0.5 * wii * amplitude;
            gradient[^1] -= 0.5 * wii * noise;
            var rowI = x.AsSpan(i * _features, _features);
            for (var j = 0; j < i; j++)
            {
                var wij = (alpha[i] * alpha[j]) - inverse[(i * n) + j];
                var rowJ = x.AsSpan(j * _features, _features);
                var r = Math.Sqrt(SquaredDistance(rowI, rowJ));
                var e = Math.Exp(-Sqrt5 * r);
                var k = amplitude * (1 + (Sqrt5 * r) + (5 * r * r / 3)) * e;
                gradient[0] -= wij * k;

                // ∂k/∂log ℓ_g = amplitude·(5/3)(1 + √5r)e^(−√5r)·Σ_{f in g}(Δ_f/ℓ_f)².
                var common = wij * amplitude * (5.0 / 3) * (1 + (Sqrt5 * r)) * e;
                if (common != 0)
                {
                    Array.Clear(perGroup);
                    for (var f = 0; f < _features; f++)
                    {
                        var d = rowI[f] - rowJ[f];
                        perGroup[_groupOfFeature[f]] += d * d * _inverseSquaredLength[f];
                    }

                    for (var g = 0; g < Groups; g++)
                    {
                        gradient[1 + g] -= common * perGroup[g];
                    }
                }
            }
        }

        // Priors.
        value += 0.5 * theta[0] * theta[0];
        gradient[0] += theta[0];
        var lengthMean = LengthPriorMean;
        for (var g = 0; g < Groups; g++)
        {
            var z = (theta[1 + g] - lengthMean) / LengthPriorScale;
            value += 0.5 * z * z;
            gradient[1 + g] += z / LengthPriorScale;
        }

        var noiseZ = (theta[^1] - Math.Log(1e-4)) / 3;
        value += 0.5 * noiseZ * noiseZ;
        gradient[^1] += noiseZ / 3;
        return value;
    }

    /// <summary>Matérn-5/2 correlation at distance r, and its derivative divided by r (finite at r = 0).</summary>
    private static double Matern(double r, out double slopeOverR)
    {
        var e = Math.Exp(-Sqrt5 * r);
        slopeOverR = -(5.0 / 3) * (1 + (Sqrt5 * r)) * e;
        return (1 + (Sqrt5 * r) + (5 * r * r / 3)) * e;
    }

    private void SetLengths()
    {
        _inverseSquaredLength = new double[_features];
        for (var f = 0; f < _features; f++)
        {
            _inverseSquaredLength[f] = Math.Exp(-2 * Theta[1 + _groupOfFeature[f]]);
        }
    }

    private double SquaredDistance(ReadOnlySpan<double> point, int row) => SquaredDistance(point, _x.AsSpan(row * _features, _features));

    private double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var f = 0; f < a.Length; f++)
        {
            var d = a[f] - b[f];
            sum += d * d * _inverseSquaredLength[f];
        }

        return sum;
    }

    private double[] KernelMatrix(double[] x, int n, double amplitude, double noise)
    {
        var k = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var rowI = x.AsSpan(i * _features, _features);
            k[(i * n) + i] = amplitude + noise;
            for (var j = 0; j < i; j++)
            {
                var v = amplitude * Matern(Math.Sqrt(SquaredDistance(rowI, x.AsSpan(j * _features, _features))), out _);
                k[(i * n) + j] = v;
                k[(j * n) + i] = v;
            }
        }

        return k;
    }
}
