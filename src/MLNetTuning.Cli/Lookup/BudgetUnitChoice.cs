using System.Globalization;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Cli.Lookup;

/// <summary>
/// <c>--budget-unit</c>: the unit each trainer counts a multi-fidelity budget in. Comma-separated items
/// <c>[TRAINER=]UNIT[:MIN:MAX]</c>; an item without a trainer applies to every trainer no other item names, and a
/// trainer no item covers keeps its own unit (trees, iterations, epochs) and range. Kept with the study as written.
/// </summary>
internal sealed class BudgetUnitChoice
{
    private readonly Dictionary<string, Item> _byTrainer = new(StringComparer.OrdinalIgnoreCase);
    private readonly Item? _forOthers;

    private BudgetUnitChoice(IEnumerable<Item> items)
    {
        foreach (var item in items)
        {
            if (item.Trainer is null)
            {
                _forOthers = _forOthers is null ? item : throw new CliException($"--budget-unit gives two units for all trainers ('{_forOthers.Text}' and '{item.Text}'); name the trainer of one: TRAINER=UNIT.");
            }
            else if (!_byTrainer.TryAdd(item.Trainer, item))
            {
                throw new CliException($"--budget-unit names the trainer '{item.Trainer}' twice.");
            }
        }
    }

    /// <summary>The choice written in <paramref name="text"/>, or null for none.</summary>
    /// <exception cref="CliException">An item is not <c>[TRAINER=]UNIT[:MIN:MAX]</c>, or two items cover the same trainers.</exception>
    public static BudgetUnitChoice? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return new BudgetUnitChoice(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseItem));
    }

    /// <summary>The trainer <paramref name="preset"/> with its chosen budget, or unchanged when no item covers it.</summary>
    /// <exception cref="CliException">The trainer lacks the unit, or the unit refuses the range; the message lists its units.</exception>
    public TunableEstimator Apply(string preset, TunableEstimator estimator)
    {
        var item = _byTrainer.GetValueOrDefault(preset) ?? _forOthers;
        if (item is null)
        {
            return estimator;
        }

        try
        {
            return estimator.WithBudget(item.Unit, item.Minimum, item.Maximum);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--budget-unit {item.Text}: {CliException.MessageOf(e)}");
        }
    }

    /// <summary>Checks that every trainer an item names is among the trainers tuned.</summary>
    /// <exception cref="CliException">An item names a trainer that is not tuned.</exception>
    public void CheckNamed(IReadOnlyList<string> tuned)
    {
        var stray = _byTrainer.Keys.FirstOrDefault(name => !tuned.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (stray is not null)
        {
            throw new CliException($"--budget-unit names the trainer '{stray}', which is not tuned (trainers: {string.Join(", ", tuned)}).");
        }
    }

    private static Item ParseItem(string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        var trainer = at >= 0 ? text[..at].Trim() : null;
        var parts = (at >= 0 ? text[(at + 1)..] : text).Split(':', StringSplitOptions.TrimEntries);
        double? Number(string value) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new CliException($"--budget-unit '{text}': '{value}' is not a number; write [TRAINER=]UNIT[:MIN:MAX], e.g. NeuralNetwork=epochs:2:18.");
        if (trainer is "" || parts[0].Length == 0 || parts.Length is not (1 or 3))
        {
            throw new CliException($"--budget-unit '{text}' must be [TRAINER=]UNIT[:MIN:MAX], e.g. epochs, FastTree=trees or NeuralNetwork=epochs:2:18.");
        }

        return parts.Length == 3
            ? new Item(text, trainer, parts[0], Number(parts[1]), Number(parts[2]))
            : new Item(text, trainer, parts[0], null, null);
    }

    private sealed record Item(string Text, string? Trainer, string Unit, double? Minimum, double? Maximum);
}
