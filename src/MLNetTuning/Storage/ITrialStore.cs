using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>
/// Keeps a study's trials as they happen, so that a study can be reopened and its tuner rebuilt from the
/// history. The study writes a trial when it starts, after each intermediate report, and when it ends,
/// before the next trial is proposed.
/// </summary>
public interface ITrialStore
{
    /// <summary>Reserves the next trial id of a study; ids are unique within the study and increase.</summary>
    int NextTrialId(string studyName);

    /// <summary>Writes a trial (insert or update).</summary>
    void Save(string studyName, TuningTrial trial);

    /// <summary>Every trial of a study, by id.</summary>
    IReadOnlyList<TuningTrial> Load(string studyName);
}
