using MLNetTuning.Storage;

namespace MLNetTuning.Studies;

/// <summary>The shared-study side of <see cref="TuningStudy"/>: taking in other workers' trials, heartbeats,
/// expiry of dead workers' trials and their requeueing. Used only when <see cref="TuningStudyOptions.HeartbeatTimeout"/> is set.</summary>
public sealed partial class TuningStudy
{
    /// <summary>Takes in the trials from the sync point on: others' new and finished trials; fails dead workers' trials.</summary>
    /// <param name="reserveId">Also reserve the next trial id, after reading.</param>
    /// <returns>The reserved id, or null when none was asked for.</returns>
    private int? Synchronize(bool reserveId = false)
    {
        var now = DateTimeOffset.UtcNow;
        if (now - _lastExpiryCheck >= _heartbeatInterval)
        {
            ExpireDeadWorkers(now);
        }

        int? reserved = null;
        IReadOnlyList<TuningTrial> trials;
        if (reserveId)
        {
            // Never past the budget, so that a used-up budget wastes no id (a larger one continues the sequence).
            (trials, reserved) = _store.LoadFromAndReserveId(Name, _syncedFrom, WorkerId, _totalTrialBudget);
        }
        else
        {
            trials = _store.LoadFrom(Name, _syncedFrom, WorkerId);
        }

        foreach (var trial in trials)
        {
            if (!_ownRunning.Contains(trial.Id) && !_toldTuner.Contains(trial.Id))
            {
                AddKnown(trial);
            }
        }

        AdvanceSyncPoint(now);
        return reserved;
    }

    /// <summary>Fails running trials whose heartbeat expired or whose process on this machine is gone.</summary>
    private void ExpireDeadWorkers(DateTimeOffset now)
    {
        _lastExpiryCheck = now;
        var timeout = _heartbeatTimeout ?? TimeSpan.MaxValue;
        var error = $"Interrupted: its worker sent no heartbeat for {timeout.TotalSeconds:0.#} s.";
        foreach (var failed in _store.FailExpiredTrials(Name, timeout, error))
        {
            TakeFailed(failed);
        }

        foreach (var running in _trials.Values.Where(t => t.State == TrialState.Running && !_ownRunning.Contains(t.Id) && WorkerIds.IsDeadLocalProcess(t.WorkerId)).ToList())
        {
            FailDeadWorkerTrial(running.Id, $"Interrupted: its worker process ({running.WorkerId}) is gone.");
        }
    }

    private TuningTrial? FailDeadWorkerTrial(int trialId, string error)
    {
        var failed = _store.FailTrialIfRunning(Name, trialId, error);
        if (failed is not null)
        {
            TakeFailed(failed);
        }

        return failed;
    }

    /// <summary>A trial this worker marked failed for a dead worker: known from now on, and run again if asked.</summary>
    private void TakeFailed(TuningTrial failed)
    {
        if (_ownRunning.Contains(failed.Id))
        {
            // This worker's own trial outlived its heartbeat (a stall); its result, when it comes, is still stored.
            return;
        }

        if (_requeueExpired)
        {
            _requeue.Enqueue(failed);
        }

        AddKnown(failed);
    }

    /// <summary>Moves the sync point past every trial that ended. An id that never appears (reserved by a worker
    /// that died before saving, or a proposal that came back empty) is skipped after the heartbeat timeout.</summary>
    private void AdvanceSyncPoint(DateTimeOffset now)
    {
        while (_syncedFrom <= _lastKnownId)
        {
            if (_trials.TryGetValue(_syncedFrom, out var trial))
            {
                if (!trial.IsFinished)
                {
                    return;
                }
            }
            else if (IsShared)
            {
                var since = _missingSince.TryGetValue(_syncedFrom, out var s) ? s : _missingSince[_syncedFrom] = now;
                if (now - since < _heartbeatTimeout)
                {
                    return;
                }
            }

            _missingSince.Remove(_syncedFrom);
            _syncedFrom++;
        }
    }

    private void SendHeartbeat()
    {
        int[] running;
        lock (_gate)
        {
            running = [.. _ownRunning];
        }

        if (running.Length == 0)
        {
            return;
        }

        try
        {
            _store.Heartbeat(Name, WorkerId, running);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missed heartbeat is retried at the next tick; the timeout allows for several misses.
            LastHeartbeatError = e;
        }
    }

    /// <summary>The last error of a heartbeat (a store that was briefly unreachable), or null.</summary>
    public Exception? LastHeartbeatError { get; private set; }
}
