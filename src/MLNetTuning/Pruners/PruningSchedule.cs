namespace MLNetTuning.Pruners;

/// <summary>Warm-up and check interval shared by the pruners, with Optuna's semantics.</summary>
internal static class PruningSchedule
{
    /// <summary>Checks the warm-up and interval settings.</summary>
    public static void Validate(int warmupSteps, int intervalSteps)
    {
        if (warmupSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "Warm-up steps cannot be negative.");
        }

        if (intervalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalSteps), intervalSteps, "Interval steps must be at least 1.");
        }
    }

    /// <summary>
    /// True when <paramref name="step"/> is past the warm-up and is the first report at or after the latest
    /// check point (warm-up + k · interval): a check missed for lack of a report happens at the next report.
    /// </summary>
    public static bool IsCheckStep(int step, IEnumerable<int> reportedSteps, int warmupSteps, int intervalSteps)
    {
        if (step < warmupSteps)
        {
            return false;
        }

        var checkPoint = ((step - warmupSteps) / intervalSteps * intervalSteps) + warmupSteps;
        var previous = reportedSteps.Where(s => s != step).DefaultIfEmpty(-1).Max();
        return previous < checkPoint;
    }
}
