using System.Numerics;

namespace MLNetTuning.Tuners;

/// <summary>
/// Cholesky factorisation and triangular solves on a dense row-major matrix. The GP's matrices hold a few hundred
/// rows at most, so a plain implementation is fast enough and keeps the core free of a linear-algebra dependency.
/// </summary>
internal static class Cholesky
{
    /// <summary>Overwrites the lower triangle of <paramref name="a"/> (n×n, row-major) with L, where A = L·Lᵀ.</summary>
    /// <returns>False when A is not (numerically) positive definite.</returns>
    public static bool Decompose(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var rowJ = a.AsSpan(j * n, j);
            var s = a[(j * n) + j] - Dot(rowJ, rowJ);
            if (!(s > 0) || !double.IsFinite(s))
            {
                return false;
            }

            var d = Math.Sqrt(s);
            a[(j * n) + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                a[(i * n) + j] = (a[(i * n) + j] - Dot(a.AsSpan(i * n, j), rowJ)) / d;
            }
        }

        return true;
    }

    /// <summary>Solves L·x = b in place (forward substitution).</summary>
    public static void SolveLower(double[] l, int n, Span<double> b)
    {
        for (var i = 0; i < n; i++)
        {
            b[i] = (b[i] - Dot(l.AsSpan(i * n, i), b[..i])) / l[(i * n) + i];
        }
    }

    /// <summary>Solves Lᵀ·x = b in place (back substitution).</summary>
    public static void SolveUpper(double[] l, int n, Span<double> b)
    {
        for (var i = n - 1; i >= 0; i--)
        {
            var bi = b[i] / l[(i * n) + i];
            b[i] = bi;
            for (var k = 0; k < i; k++)
            {
                b[k] -= l[(i * n) + k] * bi;
            }
        }
    }

    /// <summary>A⁻¹ from its factor L (full symmetric matrix, row-major).</summary>
    public static double[] Inverse(double[] l, int n)
    {
        // Rows of L⁻¹ (lower triangular), then A⁻¹ = L⁻ᵀ·L⁻¹, whose (i, j) entry is the dot product of
        // columns i and j of L⁻¹ — rows of its transpose, stored contiguously below.
        var inverseT = new double[n * n];
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            Array.Clear(column);
            column[j] = 1;
            for (var i = j; i < n; i++)
            {
                column[i] = (column[i] - Dot(l.AsSpan((i * n) + j, i - j), column.AsSpan(j, i - j))) / l[(i * n) + i];
            }

            Array.Copy(column, 0, inverseT, j * n, n);
        }

        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var v = Dot(inverseT.AsSpan((i * n) + i, n - i), inverseT.AsSpan((j * n) + i, n - i));
                result[(i * n) + j] = v;
                result[(j * n) + i] = v;
            }
        }

        return result;
    }

    /// <summary>Dot product, vectorised.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count * 2)
        {
            var acc = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                acc += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            }

            sum = Vector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
