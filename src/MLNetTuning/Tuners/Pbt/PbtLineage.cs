using System.Globalization;
using System.Text;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Tuners;

/// <summary>One interval of a PBT member's training: the budget range it covered with the hyperparameters it used.</summary>
/// <param name="TrialId">The trial that trained this interval.</param>
/// <param name="StartBudget">Budget (epochs) the interval started from: its parent checkpoint's.</param>
/// <param name="EndBudget">Budget reached at its end.</param>
/// <param name="Parameters">Hyperparameters used.</param>
/// <param name="Value">The metric at its end, as the user knows it.</param>
/// <param name="Note">How it came about: "start", "continue", or the exploit and perturbations applied.</param>
public sealed record PbtSegment(int TrialId, double StartBudget, double EndBudget, TrialParameters Parameters, double? Value, string Note);

/// <summary>The lineage of a PBT trial: the chain of intervals, through every exploit, that produced its model.</summary>
public sealed class PbtLineage
{
    private PbtLineage(IReadOnlyList<PbtSegment> segments) => Segments = segments;

    /// <summary>The intervals from the first to the given trial; replaying them trains the same model.</summary>
    public IReadOnlyList<PbtSegment> Segments { get; }

    /// <summary>Follows <see cref="TuningTrial.ParentTrialId"/> back from <paramref name="trialId"/>.</summary>
    /// <exception cref="ArgumentException">A trial of the chain is missing.</exception>
    public static PbtLineage Of(IEnumerable<TuningTrial> trials, int trialId)
    {
        var byId = trials.ToDictionary(t => t.Id);
        var chain = new List<PbtSegment>();
        int? id = trialId;
        while (id is int current)
        {
            if (!byId.TryGetValue(current, out var trial))
            {
                throw new ArgumentException($"Trial {current} of the lineage of trial {trialId} is not among the trials.", nameof(trials));
            }

            var start = trial.ParentTrialId is int parent && byId.TryGetValue(parent, out var p) ? p.Budget ?? 0 : 0;
            var note = trial.Attributes.TryGetValue(PbtTuner.NoteAttribute, out var n) ? n : "";
            chain.Add(new PbtSegment(trial.Id, start, trial.Budget ?? start, trial.Parameters, trial.Value, note));
            id = trial.ParentTrialId;
        }

        chain.Reverse();
        return new PbtLineage(chain);
    }

    /// <summary>The hyperparameter schedule as a table: budget range, trial, value, parameters and how they changed.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"epochs",-11} {"trial",5} {"value",10}  parameters");
        foreach (var s in Segments)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{$"{s.StartBudget:G4}-{s.EndBudget:G4}",-11} {s.TrialId,5} {s.Value,10:F4}  {s.Parameters}");
            if (s.Note.Length > 0 && s.Note != PbtTuner.ContinueNote && s.Note != PbtTuner.StartNote)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{"",29}{s.Note}");
            }
        }

        return text.ToString();
    }
}
