using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>Keeps trials in memory: for one process, and for reopening a study or sharing it between threads within it.
/// Trials are kept as snapshots, as a database would keep them.</summary>
public sealed class InMemoryTrialStore : ITrialStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StudyEntry> _studies = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public int NextTrialId(string studyName)
    {
        lock (_gate)
        {
            var study = Entry(studyName);
            return study.NextId++;
        }
    }

    /// <inheritdoc/>
    public void Save(string studyName, TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        lock (_gate)
        {
            var study = Entry(studyName);
            var copy = trial.Clone();
            copy.HeartbeatAt = DateTimeOffset.UtcNow;
            study.Trials[trial.Id] = copy;
            study.NextId = Math.Max(study.NextId, trial.Id + 1);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> Load(string studyName)
    {
        lock (_gate)
        {
            return _studies.TryGetValue(studyName, out var study) ? study.Trials.Values.Select(t => t.Clone()).ToList() : [];
        }
    }

    /// <inheritdoc/>
    public StoredStudy OpenStudy(string studyName, HyperparameterSpace space, OptimizationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_gate)
        {
            var study = Entry(studyName);
            if (study.SpaceJson is null)
            {
                study.SpaceJson = space.ToJsonString();
                study.Direction = direction;
            }

            var stored = Describe(studyName, study);
            stored.EnsureMatches(space, direction);
            return stored;
        }
    }

    /// <inheritdoc/>
    public StoredStudy? FindStudy(string studyName)
    {
        lock (_gate)
        {
            return _studies.TryGetValue(studyName, out var study) && study.SpaceJson is not null ? Describe(studyName, study) : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredStudy> ListStudies()
    {
        lock (_gate)
        {
            return _studies.Where(kv => kv.Value.SpaceJson is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Describe(kv.Key, kv.Value)).ToList();
        }
    }

    /// <inheritdoc/>
    public void SetStudyAttribute(string studyName, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            Entry(studyName).Attributes[key] = value ?? "";
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> LoadFrom(string studyName, int firstTrialId, string? exceptRunningOfWorker)
    {
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var study))
            {
                return [];
            }

            // Ids are dense, so walking them from firstTrialId costs only what is returned, however long the history.
            var found = new List<TuningTrial>();
            for (var id = Math.Max(0, firstTrialId); id < study.NextId; id++)
            {
                if (study.Trials.TryGetValue(id, out var t) && !(t.State == TrialState.Running && t.WorkerId == exceptRunningOfWorker))
                {
                    found.Add(t.Clone());
                }
            }

            return found;
        }
    }

    /// <inheritdoc/>
    public void Heartbeat(string studyName, string workerId, IReadOnlyCollection<int> trialIds)
    {
        ArgumentNullException.ThrowIfNull(trialIds);
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var study))
            {
                return;
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var id in trialIds)
            {
                if (study.Trials.TryGetValue(id, out var trial) && trial.State == TrialState.Running && trial.WorkerId == workerId)
                {
                    trial.HeartbeatAt = now;
                }
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> FailExpiredTrials(string studyName, TimeSpan heartbeatTimeout, string error)
    {
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var study))
            {
                return [];
            }

            var now = DateTimeOffset.UtcNow;
            var failed = new List<TuningTrial>();
            foreach (var trial in study.Trials.Values.Where(t => t.State == TrialState.Running && (t.HeartbeatAt ?? t.StartedAt) < now - heartbeatTimeout))
            {
                trial.Restore(TrialState.Failed, null, null, error, now);
                failed.Add(trial.Clone());
            }

            return failed;
        }
    }

    /// <inheritdoc/>
    public TuningTrial? FailTrialIfRunning(string studyName, int trialId, string error)
    {
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var study) || !study.Trials.TryGetValue(trialId, out var trial) || trial.State != TrialState.Running)
            {
                return null;
            }

            trial.Restore(TrialState.Failed, null, null, error, DateTimeOffset.UtcNow);
            return trial.Clone();
        }
    }

    /// <inheritdoc/>
    public bool DeleteStudy(string studyName)
    {
        StudyNames.Validate(studyName);
        lock (_gate)
        {
            return _studies.Remove(studyName);
        }
    }

    /// <inheritdoc/>
    public void RenameStudy(string studyName, string newName)
    {
        StudyNames.Validate(studyName);
        StudyNames.Validate(newName);
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var study) || study.SpaceJson is null)
            {
                throw new InvalidOperationException($"Study '{studyName}' is not in the in-memory store.");
            }

            if (_studies.ContainsKey(newName))
            {
                throw new InvalidOperationException($"The in-memory store already has a study '{newName}'.");
            }

            _studies.Remove(studyName);
            _studies[newName] = study;
        }
    }

    /// <inheritdoc/>
    public void ImportStudy(StoredStudy study, IReadOnlyList<TuningTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        StudyNames.Validate(study.Name);
        lock (_gate)
        {
            if (_studies.ContainsKey(study.Name))
            {
                throw new InvalidOperationException($"The in-memory store already has a study '{study.Name}'.");
            }

            var entry = new StudyEntry { SpaceJson = study.SpaceJson, Direction = study.Direction, CreatedAt = study.CreatedAt };
            foreach (var (key, value) in study.Attributes)
            {
                entry.Attributes[key] = value;
            }

            foreach (var trial in trials)
            {
                entry.Trials[trial.Id] = trial.Clone();
                entry.NextId = Math.Max(entry.NextId, trial.Id + 1);
            }

            _studies[study.Name] = entry;
        }
    }

    private StudyEntry Entry(string studyName)
    {
        StudyNames.Validate(studyName);
        if (!_studies.TryGetValue(studyName, out var study))
        {
            _studies[studyName] = study = new StudyEntry();
        }

        return study;
    }

    private static StoredStudy Describe(string name, StudyEntry study) => new(
        name,
        study.SpaceJson ?? HyperparameterSpace.Empty.ToJsonString(),
        study.Direction,
        study.CreatedAt,
        new Dictionary<string, string>(study.Attributes),
        study.Trials.Values.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count()));

    private sealed class StudyEntry
    {
        public SortedDictionary<int, TuningTrial> Trials { get; } = [];

        public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

        public string? SpaceJson { get; set; }

        public OptimizationDirection Direction { get; set; }

        public int NextId { get; set; }
    }
}
