using System.Globalization;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Cli.Data;

/// <summary>
/// Trainers that need something of the label (Poisson regression: labels of 0 or more, see
/// <see cref="TunableEstimator.NeedsNonNegativeLabels"/>), checked against every row of the label column before
/// anything runs: every trial of such a trainer would fail on the first bad label and waste its share of the study.
/// A default trainer the label does not suit is left out with a note; a trainer named in --trainers is refused.
/// </summary>
internal static class LabelRequirements
{
    /// <summary>The trainers of <paramref name="estimators"/> (the default presets) that the label suits, and one
    /// line for each left out, naming it and why (the smallest label and how many rows break the requirement).</summary>
    public static (IReadOnlyList<TunableEstimator> Kept, IReadOnlyList<string> LeftOut) SuitingDefaults(IReadOnlyList<TunableEstimator> estimators, LabelCheck label)
    {
        var leftOut = estimators.Where(e => Breaks(e, label)).ToList();
        var scan = label.Column.Scan;
        var notes = leftOut.Select(e => $"{e.Name} is left out of the default trainers: it needs {TunableEstimator.NonNegativeLabels}, and the smallest value of the label '{label.Column.Name}' is {scan.MinimumText} (line {scan.MinimumLine}); {BelowZero(label)}.").ToList();
        return (estimators.Except(leftOut).ToList(), notes);
    }

    /// <summary>Refuses a trainer the user named that the label does not suit, before any trial.</summary>
    /// <exception cref="CliException">A named trainer needs non-negative labels and a label is below 0; the message
    /// names the trainer, the requirement, the first such value and its line (exit 2).</exception>
    public static void RequireSuited(IEnumerable<TunableEstimator> named, LabelCheck label)
    {
        if (named.FirstOrDefault(e => Breaks(e, label)) is { } trainer)
        {
            var scan = label.Column.Scan;
            throw new CliException($"The trainer '{trainer.Name}' needs {TunableEstimator.NonNegativeLabels}, but the label '{label.Column.Name}' is {scan.FirstNegative} on line {scan.FirstNegativeLine} ({BelowZero(label)}). Leave it out of --trainers (without --trainers it is left out by itself), or shift the labels.");
        }
    }

    private static bool Breaks(TunableEstimator trainer, LabelCheck label) => trainer.NeedsNonNegativeLabels && label.Column.Scan.Negatives > 0;

    private static string BelowZero(LabelCheck label) =>
        string.Create(CultureInfo.InvariantCulture, $"{label.Column.Scan.Negatives} of the {label.LabelledRows} labelled rows {(label.Column.Scan.Negatives == 1 ? "is" : "are")} below 0");
}
