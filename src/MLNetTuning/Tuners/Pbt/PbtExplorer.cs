using System.Globalization;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Tuners;

/// <summary>
/// PBT's explore step on a search space: each hyperparameter is resampled from its domain with the resample
/// probability, otherwise a number is multiplied by one of the factors (integers truncated, then kept inside
/// the range) and a choice moves to an adjacent value. Constants stay; a conditional choice keeps its branch
/// (changing a trainer mid-training is not a perturbation) and perturbs the branch's own parameters.
/// </summary>
internal sealed class PbtExplorer(HyperparameterSpace space, double resampleProbability, IReadOnlyList<double> factors)
{
    /// <summary>Perturbs <paramref name="parameters"/>; <paramref name="changes"/> receives one line per changed value.</summary>
    public TrialParameters Explore(TrialParameters parameters, Random random, List<string> changes) => ExploreSpace(space, parameters, random, changes, "");

    private TrialParameters ExploreSpace(HyperparameterSpace domainSpace, TrialParameters parameters, Random random, List<string> changes, string prefix)
    {
        var values = new List<KeyValuePair<string, object?>>();
        foreach (var (key, domain) in domainSpace)
        {
            var path = prefix + key;
            var old = parameters[key];
            var next = domain switch
            {
                HyperparameterSpace nested => ExploreSpace(nested, (TrialParameters)old!, random, changes, path + "."),
                ConditionalChoice conditional => ExploreBranch(conditional, (BranchSelection)old!, random, changes, path),
                ConstantDomain => old,
                _ => ExploreValue(domain, old, random, changes, path),
            };
            values.Add(new(key, next));
        }

        return new TrialParameters(values);
    }

    private BranchSelection ExploreBranch(ConditionalChoice conditional, BranchSelection old, Random random, List<string> changes, string path) =>
        old with { Parameters = ExploreSpace(conditional.Branches[old.Branch], old.Parameters, random, changes, $"{path}.{old.Branch}.") };

    /// <summary>Every integer of the range equally likely (log-uniform in k on a log range), unlike the floored encoding.</summary>
    private static object ResampleInteger(NumericRange range, Random random) => range.Convert(SearchCoordinates.IntegerAt(range, random.NextDouble()));

    private object? ExploreValue(HyperparameterDomain domain, object? old, Random random, List<string> changes, string path)
    {
        object? next;
        string how;
        if (random.NextDouble() < resampleProbability)
        {
            next = domain is NumericRange { Type: NumericType.Int32 } integers
                ? ResampleInteger(integers, random)
                : domain.Decode(Enumerable.Range(0, domain.Dimension).Select(_ => random.NextDouble()).ToArray());
            how = "resampled";
        }
        else if (domain is NumericRange range)
        {
            var factor = factors[random.Next(factors.Count)];
            var scaled = NumericRange.AsDouble(old)!.Value * factor;
            scaled = Math.Clamp(range.Type == NumericType.Int32 ? Math.Truncate(scaled) : scaled, range.Min, range.Max);
            next = range.Convert(scaled);
            how = "×" + factor.ToString(CultureInfo.InvariantCulture);
        }
        else if (domain is ChoiceDomain choice)
        {
            var index = choice.IndexOfValue(old);
            var step = random.NextDouble() < 0.5 ? -1 : 1;
            next = choice.Values[Math.Clamp(index + step, 0, choice.Values.Count - 1)];
            how = "adjacent";
        }
        else
        {
            return old;
        }

        if (!Equals(next, old))
        {
            changes.Add($"{path}: {TrialParameters.FormatValue(old)} → {TrialParameters.FormatValue(next)} ({how})");
        }

        return next;
    }
}
