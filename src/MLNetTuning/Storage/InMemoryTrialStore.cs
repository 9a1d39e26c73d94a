using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>Keeps trials in memory: for one process, and for reopening a study within it.</summary>
public sealed class InMemoryTrialStore : ITrialStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<int, TuningTrial>> _studies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextIds = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public int NextTrialId(string studyName)
    {
        lock (_gate)
        {
            var id = _nextIds.GetValueOrDefault(studyName);
            _nextIds[studyName] = id + 1;
            return id;
        }
    }

    /// <inheritdoc/>
    public void Save(string studyName, TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        lock (_gate)
        {
            if (!_studies.TryGetValue(studyName, out var trials))
            {
                _studies[studyName] = trials = [];
            }

            trials[trial.Id] = trial;
            _nextIds[studyName] = Math.Max(_nextIds.GetValueOrDefault(studyName), trial.Id + 1);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TuningTrial> Load(string studyName)
    {
        lock (_gate)
        {
            return _studies.TryGetValue(studyName, out var trials) ? trials.Values.ToList() : [];
        }
    }
}
