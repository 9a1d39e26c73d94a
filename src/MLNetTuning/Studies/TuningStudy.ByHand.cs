using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Studies;

/// <summary>Telling a study results it did not ask for.</summary>
public sealed partial class TuningStudy
{
    /// <summary>
    /// Records a trial evaluated outside the study (a known good point, a result from elsewhere): it gets the next
    /// id, is stored as completed with <paramref name="value"/>, and the tuner learns it as if it had proposed it.
    /// This drives a tuner by hand without <see cref="Ask"/>; events fire as for any completed trial.
    /// </summary>
    /// <param name="parameters">The hyperparameters, inside the study's space: e.g. <c>space.Defaults.With("rate", 0.1)</c>, or <see cref="TrialParameters.FromJson(string, HyperparameterSpace)"/>.</param>
    /// <param name="value">The metric as the user knows it; a finite number.</param>
    /// <param name="budget">The budget it was evaluated at, for a multi-fidelity tuner; null otherwise.</param>
    /// <returns>The completed trial.</returns>
    /// <exception cref="ArgumentException">The parameters are outside the space, or the value is NaN or infinite.</exception>
    public TuningTrial Tell(TrialParameters parameters, double value, double? budget = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"The value is {value}; a metric must be a finite number.", nameof(value));
        }

        if (!Space.Contains(parameters))
        {
            throw new ArgumentException($"The parameters {parameters} are outside the study's space.", nameof(parameters));
        }

        TuningTrial trial;
        lock (_gate)
        {
            var id = _store.NextTrialId(Name);
            trial = new TuningTrial(id, parameters, budget) { WorkerId = WorkerId };
            _trials[id] = trial;
            _lastKnownId = Math.Max(_lastKnownId, id);
            _ownRunning.Add(id);
        }

        Finish(trial, TrialState.Completed, value, null);
        return trial;
    }
}
