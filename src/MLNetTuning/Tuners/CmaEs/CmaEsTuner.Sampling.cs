using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

// CMA-ES's sampling side: drawing and repairing samples, Mahalanobis lengths, and the lq surrogate that orders a generation.
public sealed partial class CmaEsTuner
{
    /// <summary>Fits the surrogate on the most recent trials, in the current distribution's coordinates, and re-predicts the candidates.</summary>
    private void FitSurrogate()
    {
        _surrogate = null;
        if (!_options.Surrogate)
        {
            return;
        }

        var form = QuadraticSurrogate.Choose(_archive.Count, _n);
        if (form is null)
        {
            return;
        }

        var size = Math.Min(_archive.Count, 2 * QuadraticSurrogate.DegreesOfFreedom(form.Value, _n));
        var recent = _archive.Skip(_archive.Count - size).ToList();
        _surrogate = QuadraticSurrogate.Fit(form.Value, recent.Select(a => Whiten(a.Point)).ToList(), recent.Select(a => a.Loss).ToList());
        foreach (var candidate in _candidates)
        {
            candidate.Predicted = _surrogate?.Predict(Whiten(candidate.Point)) ?? 0;
        }
    }

    /// <summary>Kendall τ between the surrogate and the losses of the 15 most recent trials.</summary>
    private bool SurrogateRanksWell()
    {
        var recent = _archive.Skip(Math.Max(0, _archive.Count - 15)).ToList();
        var predicted = recent.Select(a => _surrogate!.Predict(Whiten(a.Point))).ToList();
        return QuadraticSurrogate.KendallTau(predicted, recent.Select(a => a.Loss).ToList()) >= 0.85;
    }

    /// <summary>A point in the coordinates where the current distribution is standard normal: D⁻¹ Bᵀ A⁻¹ (x − m) / σ.</summary>
    private double[] Whiten(double[] point)
    {
        var step = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            step[i] = (point[i] - _mean[i]) / (_sigma * _margin[i]);
        }

        var z = new double[_n];
        for (var j = 0; j < _n; j++)
        {
            double s = 0;
            for (var i = 0; i < _n; i++)
            {
                s += _eigenvectors[i, j] * step[i];
            }

            z[j] = s / _axisLengths[j];
        }

        return z;
    }

    private Sample Draw()
    {
        var order = _samplesDrawn++;
        var z = new double[_n];
        var step = new double[_n];
        var point = new double[_n];
        for (var attempt = 0; ; attempt++)
        {
            for (var i = 0; i < _n; i++)
            {
                z[i] = _axisLengths[i] * StandardNormal.Sample(_random);
            }

            var inside = true;
            for (var i = 0; i < _n; i++)
            {
                double y = 0;
                for (var j = 0; j < _n; j++)
                {
                    y += _eigenvectors[i, j] * z[j];
                }

                step[i] = y;
                point[i] = _mean[i] + (_sigma * _margin[i] * y);
                inside &= point[i] is >= 0 and <= 1;
            }

            if (inside)
            {
                return new Sample(point, step, order);
            }

            if (attempt >= _options.MaxResamples)
            {
                break;
            }
        }

        for (var i = 0; i < _n; i++)
        {
            point[i] = Mirror(point[i]);
        }

        return new Sample(point, StepTo(point), order);
    }

    /// <summary>The step from the mean to an evaluated point that the distribution did not draw as it is (a repaired
    /// or an injected one), capped in Mahalanobis length at √n + 2n/(n + 2) as Hansen (2011) advises for injected solutions.</summary>
    private double[] StepTo(double[] point)
    {
        var step = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            step[i] = (point[i] - _mean[i]) / (_sigma * _margin[i]);
        }

        var length = MahalanobisLength(step);
        var cap = Math.Sqrt(_n) + (2.0 * _n / (_n + 2));
        if (length > cap)
        {
            for (var i = 0; i < _n; i++)
            {
                step[i] *= cap / length;
            }
        }

        return step;
    }

    private static double Mirror(double x)
    {
        x = Math.Abs(x) % 2;
        return x > 1 ? 2 - x : x;
    }

    /// <summary>‖C^(-1/2) y‖ = ‖D⁻¹ Bᵀ y‖.</summary>
    private double MahalanobisLength(double[] step)
    {
        double sum = 0;
        foreach (var c in InverseSquareRootTimes(step))
        {
            sum += c * c;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>C^(-1/2) y = B D⁻¹ Bᵀ y.</summary>
    private double[] InverseSquareRootTimes(double[] y)
    {
        var rotated = new double[_n];
        for (var j = 0; j < _n; j++)
        {
            double s = 0;
            for (var i = 0; i < _n; i++)
            {
                s += _eigenvectors[i, j] * y[i];
            }

            rotated[j] = s / _axisLengths[j];
        }

        var result = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            double s = 0;
            for (var j = 0; j < _n; j++)
            {
                s += _eigenvectors[i, j] * rotated[j];
            }

            result[i] = s;
        }

        return result;
    }

    private enum SampleState
    {
        New,
        Proposed,
        Evaluated,
        Failed,
    }

    private sealed class Sample(double[] point, double[] step, int order)
    {
        public double[] Point { get; } = point;

        public double[] Step { get; } = step;

        public int Order { get; } = order;

        public SampleState State { get; set; }

        public double Loss { get; set; } = double.PositiveInfinity;

        public double Predicted { get; set; }

        public int CompletionOrder { get; set; }
    }
}
