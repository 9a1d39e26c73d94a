using MLNetTuning.SearchSpaces;
using MLNetTuning.Studies;

namespace MLNetTuning.Portfolios;

/// <summary>One stored study as the portfolio builder reads it: its space and its trials.</summary>
/// <param name="Name">The study's name (for messages).</param>
/// <param name="Space">The space the study searched; its trainer choice is the parameter "trainer".</param>
/// <param name="Trials">The study's trials; completed ones with a loss count.</param>
public sealed record PortfolioSourceStudy(string Name, HyperparameterSpace Space, IReadOnlyList<TuningTrial> Trials);

/// <summary>One configuration of a portfolio: a trainer and its parameters (the trainer's own sub-space).</summary>
/// <param name="Trainer">The trainer's name (the branch of "trainer").</param>
/// <param name="Parameters">The trainer's parameters.</param>
public sealed record PortfolioEntry(string Trainer, TrialParameters Parameters);

/// <summary>
/// Chooses, per trainer, a few configurations that together scored well across stored studies: greedy selection on
/// normalized ranks, as auto-sklearn 2.0's portfolio and FLAML's zero-shot do. A configuration's score on a study
/// is the normalized rank (0 best, 1 worst, among the study's completed trials) of the study's trial of the same
/// trainer nearest to it in the unit cube, since stored studies did not all evaluate the same points. The set's
/// score on a study is its best member's; the greedy step adds the candidate that lowers the mean over studies most.
/// </summary>
public static class PortfolioBuilder
{
    /// <summary>Builds the portfolio: up to <paramref name="perTrainer"/> configurations per trainer, chosen from
    /// the best <paramref name="candidatesPerStudy"/> trials of each trainer in each study.</summary>
    /// <exception cref="ArgumentException">No study has a completed trial, or a count is below 1.</exception>
    public static IReadOnlyList<PortfolioEntry> Build(IReadOnlyList<PortfolioSourceStudy> studies, int perTrainer = 3, int candidatesPerStudy = 5)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentOutOfRangeException.ThrowIfLessThan(perTrainer, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidatesPerStudy, 1);
        var ranked = studies.Select(Rank).Where(r => r.Count > 0).ToList();
        if (ranked.Count == 0)
        {
            throw new ArgumentException("No study has a completed trial to build a portfolio from.", nameof(studies));
        }

        var portfolio = new List<PortfolioEntry>();
        foreach (var trainer in ranked.SelectMany(r => r.Select(t => t.Trainer)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var candidates = ranked.SelectMany(r => r.Where(t => t.Trainer == trainer).OrderBy(t => t.Rank).Take(candidatesPerStudy))
                .GroupBy(t => t.Parameters).Select(g => g.First()).ToList();
            var scored = ranked.Where(r => r.Any(t => t.Trainer == trainer)).ToList();
            var scores = candidates.Select(c => scored.Select(r => NearestRank(c, r.Where(t => t.Trainer == trainer).ToList())).ToArray()).ToArray();
            portfolio.AddRange(Greedy(scores, perTrainer).Select(i => new PortfolioEntry(trainer, candidates[i].Parameters)));
        }

        return portfolio;
    }

    /// <summary>Greedy selection: <paramref name="scores"/>[candidate][study] (lower is better); each step adds the
    /// candidate that most lowers the mean over studies of the set's best score, ties to the lower index; it stops
    /// early when no candidate lowers it.</summary>
    /// <returns>The chosen candidates' indices, in the order chosen.</returns>
    public static IReadOnlyList<int> Greedy(double[][] scores, int size)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var chosen = new List<int>();
        if (scores.Length == 0)
        {
            return chosen;
        }

        var best = Enumerable.Repeat(double.PositiveInfinity, scores[0].Length).ToArray();
        while (chosen.Count < size)
        {
            var (pick, pickMean) = (-1, Mean(best));
            for (var c = 0; c < scores.Length; c++)
            {
                var mean = Mean(best.Select((b, s) => Math.Min(b, scores[c][s])));
                if (!chosen.Contains(c) && mean < pickMean)
                {
                    (pick, pickMean) = (c, mean);
                }
            }

            if (pick < 0)
            {
                break;
            }

            chosen.Add(pick);
            for (var s = 0; s < best.Length; s++)
            {
                best[s] = Math.Min(best[s], scores[pick][s]);
            }
        }

        return chosen;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Any(double.IsPositiveInfinity) ? double.PositiveInfinity : list.Average();
    }

    private sealed record RankedTrial(string Trainer, TrialParameters Parameters, double[] Point, double Rank);

    /// <summary>The study's completed trials with their trainer, encoded point in the trainer's sub-space and normalized rank.</summary>
    private static List<RankedTrial> Rank(PortfolioSourceStudy study)
    {
        var completed = study.Trials.Where(t => t.State == TrialState.Completed && t.Loss is double l && double.IsFinite(l)).OrderBy(t => t.Loss).ThenBy(t => t.Id).ToList();
        var result = new List<RankedTrial>();
        for (var i = 0; i < completed.Count; i++)
        {
            if (TrainerOf(study.Space, completed[i]) is { } trainer)
            {
                result.Add(new RankedTrial(trainer.Name, trainer.Parameters, trainer.Space.EncodeParameters(trainer.Parameters), completed.Count == 1 ? 0 : (double)i / (completed.Count - 1)));
            }
        }

        return result;
    }

    /// <summary>The trial's trainer: the branch of a "trainer" choice, or, for a single trainer, its nested space named by the trial's "trainer" attribute.</summary>
    private static (string Name, TrialParameters Parameters, HyperparameterSpace Space)? TrainerOf(HyperparameterSpace space, TuningTrial trial)
    {
        if (!space.TryGetValue("trainer", out var domain) || !trial.Parameters.TryGetValue("trainer", out var value))
        {
            return null;
        }

        return (domain, value) switch
        {
            (ConditionalChoice choice, BranchSelection s) when choice.Branches.TryGetValue(s.Branch, out var branch) => (s.Branch, s.Parameters, branch),
            (HyperparameterSpace nested, TrialParameters p) when trial.Attributes.TryGetValue("trainer", out var name) => (name, p, nested),
            _ => null,
        };
    }

    private static double NearestRank(RankedTrial candidate, List<RankedTrial> trials)
    {
        var (rank, distance) = (1.0, double.PositiveInfinity);
        foreach (var t in trials)
        {
            var d = t.Point.Length == candidate.Point.Length ? t.Point.Zip(candidate.Point, (a, b) => (a - b) * (a - b)).Sum() : double.PositiveInfinity;
            if (d < distance || (d == distance && t.Rank < rank))
            {
                (rank, distance) = (t.Rank, d);
            }
        }

        return rank;
    }
}
