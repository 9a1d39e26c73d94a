using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Storage;

/// <summary>A study as a store keeps it: its name, space, direction, notes and how many trials it holds.</summary>
/// <param name="Name">The study's name.</param>
/// <param name="SpaceJson">The search space, as <see cref="HyperparameterSpace.ToJsonString"/> wrote it.</param>
/// <param name="Direction">Whether its metric is minimised or maximised.</param>
/// <param name="CreatedAt">When the study was created.</param>
/// <param name="Attributes">Notes kept with the study (see <see cref="ITrialStore.SetStudyAttribute"/>).</param>
/// <param name="TrialCounts">Trials by state.</param>
public sealed record StoredStudy(string Name, string SpaceJson, OptimizationDirection Direction, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<TrialState, int> TrialCounts)
{
    /// <summary>All trials of the study.</summary>
    public int TrialCount => TrialCounts.Values.Sum();

    /// <summary>The stored search space.</summary>
    public HyperparameterSpace Space => HyperparameterSpace.FromJson(SpaceJson);

    /// <summary>Throws unless the study was stored with this space and direction.</summary>
    /// <exception cref="InvalidOperationException">The space or direction differs; the message names the differing keys.</exception>
    public void EnsureMatches(HyperparameterSpace space, OptimizationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (direction != Direction)
        {
            throw new InvalidOperationException($"Study '{Name}' in the store is {Direction.ToString().ToLowerInvariant()}d, not {direction.ToString().ToLowerInvariant()}d; use the same metric direction or another study name.");
        }

        var stored = Space;
        if (stored.ToJsonString() == space.ToJsonString())
        {
            return;
        }

        var onlyStored = stored.Keys.Except(space.Keys).ToList();
        var onlyGiven = space.Keys.Except(stored.Keys).ToList();
        var changed = stored.Keys.Intersect(space.Keys).Where(k => stored[k].ToJson().ToJsonString() != space[k].ToJson().ToJsonString()).ToList();
        var parts = new List<string>();
        if (onlyStored.Count > 0)
        {
            parts.Add($"only in the stored space: {string.Join(", ", onlyStored)}");
        }

        if (onlyGiven.Count > 0)
        {
            parts.Add($"only in the new space: {string.Join(", ", onlyGiven)}");
        }

        if (changed.Count > 0)
        {
            parts.Add($"different: {string.Join(", ", changed)}");
        }

        throw new InvalidOperationException($"Study '{Name}' in the store was created with a different search space ({string.Join("; ", parts)}). Its stored trials would not fit; open it with the same space (same trainers and options) or choose another study name.");
    }
}

/// <summary>Study names: 1 to 128 letters, digits, '-', '_' or '.', so that they are safe in file names, logs and SQL.</summary>
public static class StudyNames
{
    /// <summary>Returns <paramref name="name"/> when valid.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or has other characters.</exception>
    public static string Validate(string? name) => TuningStudyOptions.ValidateName(name);
}

/// <summary>A store cannot be read or written: a corrupt file, an unreachable database, a schema from a newer version.
/// The message names the store (never with its password) and the cause.</summary>
public sealed class TrialStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrialStoreException()
        : base("The trial store failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrialStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public TrialStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
