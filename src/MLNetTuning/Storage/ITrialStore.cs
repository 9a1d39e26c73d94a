using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// Keeps a study's trials as they happen, so that a study can be reopened, its tuner rebuilt from the
/// history, and several workers (threads, processes, machines) can share one study. The study writes a trial
/// when it starts, after each intermediate report, and when it ends, before the next trial is proposed.
/// </summary>
/// <remarks>
/// The members after <see cref="Load"/> have default implementations built on the first three, which suit a
/// store used by one process; stores shared by several processes (SQLite, PostgreSQL) implement them
/// atomically. Studies are addressed by name (letters, digits, '-', '_' and '.'; see <see cref="StudyNames"/>).
/// </remarks>
public interface ITrialStore
{
    /// <summary>Reserves the next trial id of a study; ids are unique within the study and increase, also across processes.</summary>
    int NextTrialId(string studyName);

    /// <summary>Writes a trial (insert or update). A store keeps a snapshot: later changes of the object are not stored until saved again.</summary>
    void Save(string studyName, TuningTrial trial);

    /// <summary>Every trial of a study, by id.</summary>
    IReadOnlyList<TuningTrial> Load(string studyName);

    /// <summary>Creates the study if the store lacks it, or checks that the stored one has the same space and direction.</summary>
    /// <returns>The stored study.</returns>
    /// <exception cref="InvalidOperationException">The stored study has another space or direction; the message says what differs.</exception>
    StoredStudy OpenStudy(string studyName, HyperparameterSpace space, OptimizationDirection direction) =>
        new(StudyNames.Validate(studyName), space.ToJsonString(), direction, DateTimeOffset.UtcNow, new Dictionary<string, string>(), CountStates(Load(studyName)));

    /// <summary>The stored study of that name, or null.</summary>
    StoredStudy? FindStudy(string studyName) => null;

    /// <summary>Every study the store holds, by name.</summary>
    IReadOnlyList<StoredStudy> ListStudies() => [];

    /// <summary>Keeps a note with the study (e.g. the settings workers need to join it).</summary>
    void SetStudyAttribute(string studyName, string key, string value)
    {
    }

    /// <summary>The trials with id at least <paramref name="firstTrialId"/>, by id, leaving out the running trials of
    /// <paramref name="exceptRunningOfWorker"/> (the caller's own, which it knows better).</summary>
    IReadOnlyList<TuningTrial> LoadFrom(string studyName, int firstTrialId, string? exceptRunningOfWorker) =>
        Load(studyName).Where(t => t.Id >= firstTrialId && !(t.State == TrialState.Running && t.WorkerId == exceptRunningOfWorker)).ToList();

    /// <summary><see cref="LoadFrom"/>, then <see cref="NextTrialId"/> if the next id is below <paramref name="idBelow"/>
    /// (any id when null), in that order: what a shared study does before each proposal. A store on a network does
    /// both in one round trip; this default only reads, and leaves the reservation to a later <see cref="NextTrialId"/>.</summary>
    /// <returns>The trials read, and the reserved id or null when none was reserved.</returns>
    (IReadOnlyList<TuningTrial> Trials, int? NextTrialId) LoadFromAndReserveId(string studyName, int firstTrialId, string? exceptRunningOfWorker, int? idBelow) =>
        (LoadFrom(studyName, firstTrialId, exceptRunningOfWorker), null);

    /// <summary>Records that <paramref name="workerId"/> is alive and still runs these trials (stamps their heartbeat with the store's clock).</summary>
    void Heartbeat(string studyName, string workerId, IReadOnlyCollection<int> trialIds)
    {
    }

    /// <summary>Marks failed, atomically, every running trial whose heartbeat is older than <paramref name="heartbeatTimeout"/>
    /// by the store's clock.</summary>
    /// <returns>The trials this call marked failed (none that another worker marked first).</returns>
    IReadOnlyList<TuningTrial> FailExpiredTrials(string studyName, TimeSpan heartbeatTimeout, string error) => [];

    /// <summary>Marks one trial failed if it is still running.</summary>
    /// <returns>The failed trial, or null when it was not running (or is unknown).</returns>
    TuningTrial? FailTrialIfRunning(string studyName, int trialId, string error)
    {
        var trial = Load(studyName).FirstOrDefault(t => t.Id == trialId);
        if (trial is null || trial.State != TrialState.Running)
        {
            return null;
        }

        trial.Restore(TrialState.Failed, null, null, error, DateTimeOffset.UtcNow);
        Save(studyName, trial);
        return trial;
    }

    /// <summary>Removes a study with its trials and attributes. Workers must not be running it.</summary>
    /// <returns>False when the store has no study of that name.</returns>
    /// <exception cref="NotSupportedException">The store cannot delete studies.</exception>
    bool DeleteStudy(string studyName) =>
        throw new NotSupportedException($"The store {GetType().Name} cannot delete studies.");

    /// <summary>Gives a study another name, keeping its trials, attributes and creation time. Workers must not be running it.</summary>
    /// <exception cref="InvalidOperationException">The study is unknown, or <paramref name="newName"/> is taken.</exception>
    /// <exception cref="ArgumentException">A name is not a valid study name.</exception>
    /// <exception cref="NotSupportedException">The store cannot rename studies.</exception>
    void RenameStudy(string studyName, string newName) =>
        throw new NotSupportedException($"The store {GetType().Name} cannot rename studies.");

    /// <summary>Writes a whole study as it was kept elsewhere, in one step: under <see cref="StoredStudy.Name"/>, with its
    /// space, direction, creation time and attributes, and every trial exactly as given (state, times, worker and last
    /// heartbeat included, which <see cref="Save"/> would stamp anew). Used to copy, export and import studies.</summary>
    /// <exception cref="InvalidOperationException">The store already has a study of that name.</exception>
    /// <exception cref="NotSupportedException">The store cannot import studies.</exception>
    void ImportStudy(StoredStudy study, IReadOnlyList<TuningTrial> trials) =>
        throw new NotSupportedException($"The store {GetType().Name} cannot import studies.");

    /// <summary>Counts trials by state, for <see cref="StoredStudy.TrialCounts"/>.</summary>
    protected static IReadOnlyDictionary<TrialState, int> CountStates(IEnumerable<TuningTrial> trials) =>
        trials.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count());
}
