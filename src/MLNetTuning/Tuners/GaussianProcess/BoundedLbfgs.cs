namespace MLNetTuning.Tuners;

/// <summary>
/// Limited-memory BFGS on a box: the quasi-Newton direction is computed on the free coordinates (those not held
/// at a bound by their gradient), and the step is projected back into the box, with a backtracking Armijo search.
/// A lighter cousin of L-BFGS-B, enough for the GP's smooth, low-dimensional problems.
/// </summary>
internal static class BoundedLbfgs
{
    /// <summary>The objective: returns f(x) and writes ∇f(x) into the second argument.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    /// <summary>Minimises <paramref name="f"/> from <paramref name="x"/> (updated in place) within [low, high].</summary>
    /// <returns>The lowest value found.</returns>
    public static double Minimise(Objective f, double[] x, double[] low, double[] high, int maxIterations, int memory = 6)
    {
        var n = x.Length;
        for (var i = 0; i < n; i++)
        {
            x[i] = Math.Clamp(x[i], low[i], high[i]);
        }

        var g = new double[n];
        var fx = f(x, g);
        if (!double.IsFinite(fx))
        {
            return fx;
        }

        var s = new List<double[]>();
        var y = new List<double[]>();
        var direction = new double[n];
        var free = new bool[n];
        var candidate = new double[n];
        var gCandidate = new double[n];
        var alpha = new double[memory];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var largest = 0.0;
            for (var i = 0; i < n; i++)
            {
                free[i] = !((x[i] <= low[i] && g[i] > 0) || (x[i] >= high[i] && g[i] < 0));
                if (free[i])
                {
                    largest = Math.Max(largest, Math.Abs(g[i]));
                }
            }

            if (largest < 1e-9)
            {
                break;
            }

            TwoLoop(g, free, s, y, alpha, direction);
            var slope = 0.0;
            for (var i = 0; i < n; i++)
            {
                slope += direction[i] * g[i];
            }

            if (!(slope < 0))
            {
                for (var i = 0; i < n; i++)
                {
                    direction[i] = free[i] ? -g[i] : 0;
                }

                s.Clear();
                y.Clear();
            }

            // Without curvature information the first step is scaled to move the largest coordinate by at most 1/4 of a unit.
            var step = s.Count == 0 ? Math.Min(1, 0.25 / largest) : 1.0;
            var accepted = false;
            double fCandidate = 0;
            for (var trial = 0; trial < 30; trial++)
            {
                var decrease = 0.0;
                for (var i = 0; i < n; i++)
                {
                    candidate[i] = Math.Clamp(x[i] + (step * direction[i]), low[i], high[i]);
                    decrease += g[i] * (candidate[i] - x[i]);
                }

                fCandidate = f(candidate, gCandidate);
                if (double.IsFinite(fCandidate) && fCandidate <= fx + (1e-4 * Math.Min(decrease, 0)))
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                break;
            }

            var sk = new double[n];
            var yk = new double[n];
            var sy = 0.0;
            for (var i = 0; i < n; i++)
            {
                sk[i] = candidate[i] - x[i];
                yk[i] = gCandidate[i] - g[i];
                sy += sk[i] * yk[i];
            }

            var change = fx - fCandidate;
            Array.Copy(candidate, x, n);
            Array.Copy(gCandidate, g, n);
            fx = fCandidate;
            if (sy > 1e-12)
            {
                s.Add(sk);
                y.Add(yk);
                if (s.Count > memory)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                }
            }

            if (change <= 1e-10 * (1 + Math.Abs(fx)))
            {
                break;
            }
        }

        return fx;
    }

    /// <summary>direction = −H·g on the free coordinates (the standard two-loop recursion), 0 elsewhere.</summary>
    private static void TwoLoop(double[] g, bool[] free, List<double[]> s, List<double[]> y, double[] alpha, double[] direction)
    {
        var n = g.Length;
        for (var i = 0; i < n; i++)
        {
            direction[i] = free[i] ? -g[i] : 0;
        }

        for (var k = s.Count - 1; k >= 0; k--)
        {
            var ys = Dot(y[k], s[k], free);
            alpha[k] = ys > 1e-12 ? Dot(s[k], direction, free) / ys : 0;
            for (var i = 0; i < n; i++)
            {
                if (free[i])
                {
                    direction[i] -= alpha[k] * y[k][i];
                }
            }
        }

        if (s.Count > 0)
        {
            var last = s.Count - 1;
            var yy = Dot(y[last], y[last], free);
            var gamma = yy > 0 ? Dot(s[last], y[last], free) / yy : 1;
            if (gamma > 0)
            {
                for (var i = 0; i < n; i++)
                {
                    direction[i] *= gamma;
                }
            }
        }

        for (var k = 0; k < s.Count; k++)
        {
            var ys = Dot(y[k], s[k], free);
            if (ys <= 1e-12)
            {
                continue;
            }

            var beta = Dot(y[k], direction, free) / ys;
            for (var i = 0; i < n; i++)
            {
                if (free[i])
                {
                    direction[i] += (alpha[k] - beta) * s[k][i];
                }
            }
        }
    }

    private static double Dot(double[] a, double[] b, bool[] free)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            if (free[i])
            {
                sum += a[i] * b[i];
            }
        }

        return sum;
    }
}
