namespace MLNetTuning.Tuners;

/// <summary>
/// A least-squares linear, diagonal-quadratic or full-quadratic model of the loss, as lq-CMA-ES uses to rank
/// candidates before evaluating them (Hansen, 2019, "A global surrogate assisted CMA-ES").
/// </summary>
/// <remarks>The inputs are whitened by the caller (the current search distribution's coordinates), where a
/// quadratic model is well conditioned.</remarks>
internal sealed class QuadraticSurrogate
{
    private readonly double[] _coefficients;
    private readonly int _dimension;

    private QuadraticSurrogate(QuadraticForm form, int dimension, double[] coefficients)
    {
        Form = form;
        _dimension = dimension;
        _coefficients = coefficients;
    }

    /// <summary>The model's terms.</summary>
    public QuadraticForm Form { get; }

    /// <summary>Number of coefficients of a model form in <paramref name="dimension"/> dimensions.</summary>
    public static int DegreesOfFreedom(QuadraticForm form, int dimension) => form switch
    {
        QuadraticForm.Linear => dimension + 1,
        QuadraticForm.Diagonal => (2 * dimension) + 1,
        _ => ((dimension + 1) * (dimension + 2)) / 2,
    };

    /// <summary>Most coefficients a model may have (a full quadratic up to 15 dimensions, a diagonal one beyond):
    /// fitting costs O(size · df²) per trial, which would reach tens of milliseconds for a full quadratic in 20
    /// dimensions.</summary>
    public const int MaxDegreesOfFreedom = 136;

    /// <summary>The richest form that <paramref name="count"/> points determine with some redundancy (1.5 points
    /// per coefficient) within <see cref="MaxDegreesOfFreedom"/>, or null.</summary>
    public static QuadraticForm? Choose(int count, int dimension)
    {
        foreach (var form in new[] { QuadraticForm.Full, QuadraticForm.Diagonal, QuadraticForm.Linear })
        {
            var degrees = DegreesOfFreedom(form, dimension);
            if (degrees <= MaxDegreesOfFreedom && count >= 1.5 * degrees)
            {
                return form;
            }
        }

        return null;
    }

    /// <summary>Fits a model by ridge-stabilised least squares; null when the system is singular.</summary>
    public static QuadraticSurrogate? Fit(QuadraticForm form, IReadOnlyList<double[]> inputs, IReadOnlyList<double> losses)
    {
        var dimension = inputs[0].Length;
        var p = DegreesOfFreedom(form, dimension);
        var normal = new double[p, p];
        var right = new double[p];
        var features = new double[p];
        for (var k = 0; k < inputs.Count; k++)
        {
            Features(form, inputs[k], features);
            for (var i = 0; i < p; i++)
            {
                right[i] += features[i] * losses[k];
                for (var j = 0; j <= i; j++)
                {
                    normal[i, j] += features[i] * features[j];
                }
            }
        }

        double trace = 0;
        for (var i = 0; i < p; i++)
        {
            trace += normal[i, i];
            for (var j = 0; j < i; j++)
            {
                normal[j, i] = normal[i, j];
            }
        }

        var ridge = 1e-10 * Math.Max(trace / p, 1e-300);
        for (var i = 0; i < p; i++)
        {
            normal[i, i] += ridge;
        }

        var solution = Solve(normal, right);
        return solution is null ? null : new QuadraticSurrogate(form, dimension, solution);
    }

    /// <summary>The predicted loss at a (whitened) point.</summary>
    public double Predict(double[] input)
    {
        var features = new double[_coefficients.Length];
        Features(Form, input, features);
        double sum = 0;
        for (var i = 0; i < features.Length; i++)
        {
            sum += features[i] * _coefficients[i];
        }

        return sum;
    }

    /// <summary>Kendall's rank correlation τ between two series (ties count as neither concordant nor discordant).</summary>
    public static double KendallTau(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        long concordant = 0, discordant = 0, pairs = 0;
        for (var i = 0; i < a.Count; i++)
        {
            for (var j = i + 1; j < a.Count; j++)
            {
                pairs++;
                var sign = Math.Sign(a[i] - a[j]) * Math.Sign(b[i] - b[j]);
                if (sign > 0)
                {
                    concordant++;
                }
                else if (sign < 0)
                {
                    discordant++;
                }
            }
        }

        return pairs == 0 ? 0 : (double)(concordant - discordant) / pairs;
    }

    private static void Features(QuadraticForm form, double[] z, double[] features)
    {
        var n = z.Length;
        features[0] = 1;
        for (var i = 0; i < n; i++)
        {
            features[1 + i] = z[i];
        }

        if (form == QuadraticForm.Linear)
        {
            return;
        }

        var k = 1 + n;
        for (var i = 0; i < n; i++)
        {
            features[k++] = z[i] * z[i];
        }

        if (form == QuadraticForm.Full)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    features[k++] = z[i] * z[j];
                }
            }
        }
    }

    /// <summary>Gaussian elimination with partial pivoting; null when singular.</summary>
    private static double[]? Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-300 || !double.IsFinite(a[pivot, col]))
            {
                return null;
            }

            if (pivot != col)
            {
                for (var k = 0; k < n; k++)
                {
                    (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                }

                (b[col], b[pivot]) = (b[pivot], b[col]);
            }

            for (var row = col + 1; row < n; row++)
            {
                var factor = a[row, col] / a[col, col];
                if (factor == 0)
                {
                    continue;
                }

                for (var k = col; k < n; k++)
                {
                    a[row, k] -= factor * a[col, k];
                }

                b[row] -= factor * b[col];
            }
        }

        var x = new double[n];
        for (var row = n - 1; row >= 0; row--)
        {
            var sum = b[row];
            for (var k = row + 1; k < n; k++)
            {
                sum -= a[row, k] * x[k];
            }

            x[row] = sum / a[row, row];
        }

        return x.All(double.IsFinite) ? x : null;
    }
}

/// <summary>Terms of a <see cref="QuadraticSurrogate"/>.</summary>
internal enum QuadraticForm
{
    /// <summary>Constant and linear terms.</summary>
    Linear,

    /// <summary>Plus squares.</summary>
    Diagonal,

    /// <summary>Plus all products.</summary>
    Full,
}
