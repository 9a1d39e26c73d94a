using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>The ask-and-tell side of <see cref="TuningStudy"/>: proposing and starting a trial, its intermediate
/// reports, and its end (completed, pruned or failed), each stored before the tuner learns of it.</summary>
public sealed partial class TuningStudy
{
    /// <summary>Asks the tuner for a trial and starts it. In a shared study, first takes in what other workers finished.</summary>
    /// <returns>The running trial, or null when the tuner has nothing to propose now or the total trial budget is used.</returns>
    public TuningTrial? Ask()
    {
        TuningTrial trial;
        lock (_gate)
        {
            int? reserved = null;
            if (IsShared)
            {
                // Reading what others did and reserving the id go to the store together (one round trip on a
                // network store) unless the study already knows it will not propose. A reserved id that is not used
                // below (the tuner finished with what it just learnt) is skipped, as an empty proposal's is.
                reserved = Synchronize(reserveId: !KnownToStop());
            }

            if (_budgetReached || (Tuner.IsFinished && _requeue.Count == 0 && _enqueued.Count == 0))
            {
                return null;
            }

            // Known to be used up: stop without reserving (and so wasting) an id past the budget.
            if (_lastKnownId + 1 >= _totalTrialBudget)
            {
                _budgetReached = true;
                return null;
            }

            var id = reserved ?? _store.NextTrialId(Name);
            if (id >= _totalTrialBudget)
            {
                _budgetReached = true;
                return null;
            }

            if (_requeue.TryDequeue(out var again))
            {
                trial = new TuningTrial(id, again.Parameters, again.Budget, again.ParentTrialId);
                foreach (var (key, value) in again.Attributes)
                {
                    trial.SetAttribute(key, value);
                }

                trial.SetAttribute("requeued_from", again.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (_enqueued.TryTake(id, Tuner) is { } enqueued)
            {
                trial = enqueued;
            }
            else
            {
                var proposal = Tuner.Propose(id);
                if (proposal is null)
                {
                    return null;
                }

                if (!Space.Contains(proposal.Parameters))
                {
                    throw new InvalidOperationException($"The tuner {Tuner.GetType().Name} proposed parameters outside its space: {proposal.Parameters}.");
                }

                trial = new TuningTrial(id, proposal.Parameters, proposal.Budget, proposal.ParentTrialId);
                foreach (var (key, value) in proposal.Attributes ?? new Dictionary<string, string>())
                {
                    trial.SetAttribute(key, value);
                }
            }

            trial.WorkerId = WorkerId;
            _trials[id] = trial;
            _lastKnownId = Math.Max(_lastKnownId, id);
            _ownRunning.Add(id);
            _store.Save(Name, trial);
        }

        TrialStarted?.Invoke(this, new TrialEventArgs(trial));
        return trial;
    }

    /// <summary>Whether Ask would stop now without proposing: the tuner has nothing more, or the budget is known to be used.</summary>
    private bool KnownToStop() => _budgetReached || (Tuner.IsFinished && _requeue.Count == 0 && _enqueued.Count == 0) || _lastKnownId + 1 >= _totalTrialBudget;

    /// <summary>Records an intermediate value of a running trial and asks the tuner whether it should go on.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite, or the trial is not a running trial of this study.</exception>
    public TrialDecision Report(TuningTrial trial, int step, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Trial {trial?.Id}: the intermediate value at step {step} is {value}; values must be finite numbers.", nameof(value));
        }

        TrialDecision decision;
        lock (_gate)
        {
            CheckRunning(trial);
            trial.AddIntermediate(step, value);
            decision = Tuner.Report(trial, step, ToLoss(value));
            if (decision == TrialDecision.Stop)
            {
                trial.StopRequested = true;
            }

            _store.Save(Name, trial);
        }

        TrialReported?.Invoke(this, new TrialEventArgs(trial));
        return decision;
    }

    /// <summary>Completes a trial with its value; a trial the tuner had told to stop is recorded as pruned.
    /// A NaN or infinite value fails the trial.</summary>
    public void Tell(TuningTrial trial, double value)
    {
        if (!double.IsFinite(value))
        {
            TellFailure(trial, new ArgumentException($"The objective returned {value}; a metric must be a finite number."));
            return;
        }

        Finish(trial, trial.StopRequested ? TrialState.Pruned : TrialState.Completed, value, null);
    }

    /// <summary>Ends a trial as pruned, with its last reported value.</summary>
    public void TellPruned(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        double? last = trial.IntermediateValues.Count > 0 ? trial.IntermediateValues.Last().Value : null;
        Finish(trial, TrialState.Pruned, last, null);
    }

    /// <summary>Ends a trial as failed with the exception it threw.</summary>
    public void TellFailure(TuningTrial trial, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Finish(trial, TrialState.Failed, null, error);
    }

    internal void SetAttribute(TuningTrial trial, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            trial.SetAttribute(key, value ?? "");
        }
    }

    private void Finish(TuningTrial trial, TrialState state, double? value, Exception? error)
    {
        bool newBest;
        lock (_gate)
        {
            CheckRunning(trial);
            trial.Value = value;
            trial.Loss = value is double v ? ToLoss(v) : null;
            trial.Exception = error;
            trial.Error = error is null ? null : $"{error.GetType().Name}: {error.Message}";
            trial.CompletedAt = DateTimeOffset.UtcNow;
            trial.State = state;

            // Stored before the tuner learns of it, and so before the next proposal.
            _store.Save(Name, trial);
            _ownRunning.Remove(trial.Id);
            _toldTuner.Add(trial.Id);
            Tuner.Complete(trial);
            newBest = UpdateBest(trial);
        }

        var args = new TrialEventArgs(trial);
        var handler = state switch
        {
            TrialState.Completed => TrialCompleted,
            TrialState.Pruned => TrialPruned,
            _ => TrialFailed,
        };
        handler?.Invoke(this, args);
        if (newBest)
        {
            NewBestTrial?.Invoke(this, args);
        }

        ReportProgress(trial);
    }

    private void CheckRunning(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (!_trials.TryGetValue(trial.Id, out var known) || !ReferenceEquals(known, trial))
        {
            throw new ArgumentException($"Trial {trial.Id} does not belong to study '{Name}'.", nameof(trial));
        }

        if (trial.State != TrialState.Running)
        {
            throw new InvalidOperationException($"Trial {trial.Id} has already ended ({trial.State}).");
        }
    }

    private double ToLoss(double value) => Direction == OptimizationDirection.Maximize ? -value : value;
}
