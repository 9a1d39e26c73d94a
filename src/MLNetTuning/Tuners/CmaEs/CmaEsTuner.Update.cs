using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

// CMA-ES's update side: learning rates, the generation update of mean, paths, step size and covariance, the margin, convergence and restarts.
public sealed partial class CmaEsTuner
{
    private void ComputeLearningRates()
    {
        var n = (double)_n;
        var lambda = PopulationSize;
        _mu = lambda / 2;
        var raw = new double[lambda];
        for (var i = 0; i < lambda; i++)
        {
            raw[i] = Math.Log((lambda + 1) / 2.0) - Math.Log(i + 1);
        }

        double positiveSum = 0, positiveSquares = 0, negativeSum = 0, negativeSquares = 0;
        foreach (var w in raw)
        {
            if (w > 0)
            {
                positiveSum += w;
                positiveSquares += w * w;
            }
            else
            {
                negativeSum -= w;
                negativeSquares += w * w;
            }
        }

        _muEffective = positiveSum * positiveSum / positiveSquares;
        var muEffectiveNegative = negativeSquares > 0 ? negativeSum * negativeSum / negativeSquares : 0;
        const double alphaCovariance = 2;
        _c1 = alphaCovariance / (Math.Pow(n + 1.3, 2) + _muEffective);
        _cMu = Math.Min(1 - _c1 - 1e-8, alphaCovariance * (_muEffective - 2 + (1 / _muEffective)) / (Math.Pow(n + 2, 2) + (alphaCovariance * _muEffective / 2)));
        _cMu = Math.Max(_cMu, 0);
        _cSigma = (_muEffective + 2) / (n + _muEffective + 5);
        _dSigma = 1 + (2 * Math.Max(0, Math.Sqrt((_muEffective - 1) / (n + 1)) - 1)) + _cSigma;
        _cC = (4 + (_muEffective / n)) / (n + 4 + (2 * _muEffective / n));
        _chiN = Math.Sqrt(n) * (1 - (1 / (4 * n)) + (1 / (21 * n * n)));

        // Negative weights are scaled so that the covariance stays positive definite (the tutorial's α bounds).
        var alphaMu = 1 + (_c1 / Math.Max(_cMu, 1e-300));
        var alphaMuEffective = 1 + (2 * muEffectiveNegative / (_muEffective + 2));
        var alphaPositiveDefinite = (1 - _c1 - _cMu) / (n * Math.Max(_cMu, 1e-300));
        var negativeScale = Math.Min(alphaMu, Math.Min(alphaMuEffective, alphaPositiveDefinite));
        _weights = raw.Select(w => w > 0 ? w / positiveSum : negativeSum > 0 ? negativeScale * w / negativeSum : 0).ToArray();
    }

    private void UpdateGeneration(List<Sample> ranked, double[] evaluatedLosses)
    {
        var n = _n;

        // Mean: recombination of the μ best steps (positive weights sum to 1, so the mean stays in the cube).
        var weightedStep = new double[n];
        for (var k = 0; k < _mu; k++)
        {
            for (var i = 0; i < n; i++)
            {
                weightedStep[i] += _weights[k] * ranked[k].Step[i];
            }
        }

        for (var i = 0; i < n; i++)
        {
            _mean[i] = Math.Clamp(_mean[i] + (_sigma * _margin[i] * weightedStep[i]), 0, 1);
        }

        // Step-size path and cumulative step-size adaptation.
        var whitened = InverseSquareRootTimes(weightedStep);
        var sigmaFactor = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEffective);
        double pathSigmaNorm = 0;
        for (var i = 0; i < n; i++)
        {
            _pathSigma[i] = ((1 - _cSigma) * _pathSigma[i]) + (sigmaFactor * whitened[i]);
            pathSigmaNorm += _pathSigma[i] * _pathSigma[i];
        }

        pathSigmaNorm = Math.Sqrt(pathSigmaNorm);
        var correction = Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2 * (_generationInRun + 1)));
        var hSigma = pathSigmaNorm / correction < (1.4 + (2.0 / (n + 1))) * _chiN ? 1.0 : 0.0;

        var cFactor = Math.Sqrt(_cC * (2 - _cC) * _muEffective);
        for (var i = 0; i < n; i++)
        {
            _pathC[i] = ((1 - _cC) * _pathC[i]) + (hSigma * cFactor * weightedStep[i]);
        }

        // Covariance: rank-one update from p_c, rank-μ update from all λ steps (negative weights rescaled).
        var weightSum = _weights.Sum();
        var delta = (1 - hSigma) * _cC * (2 - _cC);
        var decay = 1 + (_c1 * delta) - _c1 - (_cMu * weightSum);
        var updated = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                updated[i, j] = (decay * _covariance[i, j]) + (_c1 * _pathC[i] * _pathC[j]);
            }
        }

        for (var k = 0; k < ranked.Count; k++)
        {
            var w = _weights[k];
            var y = ranked[k].Step;
            if (w < 0)
            {
                var length = MahalanobisLength(y);
                w *= length > 0 ? n / (length * length) : 0;
            }

            if (w == 0)
            {
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    updated[i, j] += _cMu * w * y[i] * y[j];
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                _covariance[i, j] = updated[i, j];
                _covariance[j, i] = updated[i, j];
            }
        }

        _sigma *= Math.Exp(Math.Min(1, (_cSigma / _dSigma) * ((pathSigmaNorm / _chiN) - 1)));

        // A flat generation gives no ranking; widen the search (Hansen's flat-fitness escape).
        var sorted = evaluatedLosses.Order().ToArray();
        if (sorted.Length > 1 && sorted[0] == sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.1 + (PopulationSize / 4.0)))])
        {
            _sigma *= Math.Exp(0.2 + (_cSigma / _dSigma));
        }

        _sigma = Math.Min(_sigma, MaxSigma);
        GenerationCount++;
        _generationInRun++;

        var decomposed = Decompose();
        if (_options.Restarts && (!decomposed || HasConverged(sorted)))
        {
            Restart();
            return;
        }

        if (!decomposed)
        {
            ResetCovariance();
        }

        UpdateMargin();
        BeginGeneration();
    }

    private bool Decompose()
    {
        var (values, vectors) = SymmetricEigen.Decompose(_covariance);
        if (values.Any(v => !double.IsFinite(v)) || !double.IsFinite(_sigma) || _sigma <= 0)
        {
            return false;
        }

        _eigenvectors = vectors;
        for (var i = 0; i < _n; i++)
        {
            _axisLengths[i] = Math.Sqrt(Math.Max(values[i], 1e-300));
        }

        return true;
    }

    private void ResetCovariance()
    {
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                _covariance[i, j] = i == j ? 1 : 0;
                _eigenvectors[i, j] = i == j ? 1 : 0;
            }

            _axisLengths[i] = 1;
        }

        _sigma = _options.InitialSigma;
    }

    private bool HasConverged(double[] losses)
    {
        // TolFun: the recent best losses and this generation's losses all lie within the tolerance.
        if (losses.Length == 0)
        {
            return false;
        }

        _bestHistory.Enqueue(losses[0]);
        var historyLength = 10 + (int)Math.Ceiling(30.0 * _n / PopulationSize);
        while (_bestHistory.Count > historyLength)
        {
            _bestHistory.Dequeue();
        }

        if (_bestHistory.Count == historyLength && _options.ToleranceFunction > 0)
        {
            var recent = _bestHistory.Concat(losses).ToArray();
            if (recent.All(double.IsFinite) && recent.Max() - recent.Min() < _options.ToleranceFunction)
            {
                return true;
            }
        }

        // TolX: every coordinate's standard deviation and evolution path are below the tolerance.
        var allSmall = true;
        for (var i = 0; i < _n && allSmall; i++)
        {
            allSmall = _sigma * Math.Sqrt(_covariance[i, i]) < _options.ToleranceX && _sigma * Math.Abs(_pathC[i]) < _options.ToleranceX;
        }

        if (allSmall)
        {
            return true;
        }

        // Condition number of C.
        var longest = _axisLengths.Max();
        var shortest = _axisLengths.Min();
        if (longest * longest > _options.MaxConditionNumber * shortest * shortest)
        {
            return true;
        }

        // NoEffectCoord: a fifth of a standard deviation no longer moves the mean of a continuous coordinate.
        for (var i = 0; i < _n; i++)
        {
            if (!_coordinates.IsDiscrete(i) && _mean[i] == _mean[i] + (0.2 * _sigma * Math.Sqrt(_covariance[i, i])))
            {
                return true;
            }
        }

        return false;
    }

    private void Restart()
    {
        RestartCount++;
        PopulationSize = (int)Math.Min(int.MaxValue / 4, Math.Ceiling(PopulationSize * _options.PopulationGrowth));
        var mean = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            mean[i] = _random.NextDouble();
        }

        BeginRun(mean);
    }

    /// <summary>
    /// The margin: on a discrete coordinate, scale the standard deviation up so that a sample crosses the nearer
    /// edge of the mean's cell with probability at least α = 1/(nλ).
    /// </summary>
    private void UpdateMargin()
    {
        var alpha = 1.0 / (_n * PopulationSize);
        var z = StandardNormal.Quantile(1 - alpha);
        for (var i = 0; i < _n; i++)
        {
            _margin[i] = 1;
            if (!_coordinates.IsDiscrete(i))
            {
                continue;
            }

            var (low, high) = _coordinates.CellAt(i, _mean[i]);
            var distance = Math.Min(Math.Max(_mean[i] - low, 0), Math.Max(high - _mean[i], 0));

            // A cell touching the cube's edge can only be left through its inner side.
            if (low <= 0)
            {
                distance = high - _mean[i];
            }
            else if (high >= 1)
            {
                distance = _mean[i] - low;
            }

            var deviation = _sigma * Math.Sqrt(_covariance[i, i]);
            if (deviation > 0 && distance > deviation * z)
            {
                _margin[i] = distance / (deviation * z);
            }
        }
    }
}
