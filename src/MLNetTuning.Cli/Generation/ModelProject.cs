using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using MLNetTuning.Cli.Data;
using MLNetTuning.Pipelines;

namespace MLNetTuning.Cli.Generation;

/// <summary>Everything the generated code states as literals: the data's columns, the steps, the trainer, the seeds.</summary>
internal sealed record ModelProject
{
    public required string Name { get; init; }

    public required string StudyName { get; init; }

    public required int TrialId { get; init; }

    public required double StudyValue { get; init; }

    public required TuningMetric Metric { get; init; }

    public required TuningTask Task { get; init; }

    public required TabularFile File { get; init; }

    public required string LabelColumn { get; init; }

    public required IReadOnlyList<string> Classes { get; init; }

    public required IReadOnlyList<PreparationStep> Steps { get; init; }

    public required TrainerCode Trainer { get; init; }

    public required int StudySeed { get; init; }

    public required int TrialSeed { get; init; }

    public required double ValidationFraction { get; init; }

    public required bool HasProbability { get; init; }

    /// <summary>ML.NET's version: the one the tool is built with (so the one of Directory.Packages.props), read
    /// from the loaded assembly, so that the generated project loads the model the tool saved.</summary>
    public static string MLNetVersion(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version!.ToString(3);
        return version.Split('+')[0];
    }

    /// <summary>Whether the model holds one of our networks: the app then loads it with MLNetTuning.TorchSharp.</summary>
    public bool HasNetwork => Trainer.Packages.Contains(TrainerCode.NetworkPackage);

    /// <summary>The version of a package the generated library references: the one the tool runs with, so that the
    /// app trains and loads models as the tool did.</summary>
    public static string PackageVersion(string package) => package switch
    {
        TrainerCode.NetworkPackage => MLNetVersion(typeof(MLNetTuning.TorchSharp.NeuralNetworkOptions).Assembly),
        TrainerCode.TorchBackendPackage => MLNetVersion(typeof(global::TorchSharp.torch).Assembly),
        _ => MLNetVersion(typeof(MLContext).Assembly),
    };

    /// <summary>The target framework the tool runs on (net10.0).</summary>
    public static string TargetFramework => $"net{Environment.Version.Major}.{Environment.Version.Minor}";

    /// <summary>The file's columns the model reads (the label and every feature), with their C# names.</summary>
    public IReadOnlyList<(InferredColumn Column, string Property, string Type)> InputColumns()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<(InferredColumn, string, string)>();
        foreach (var column in File.Columns.Where(c => c.Name == LabelColumn || c.Kind != ColumnKind.Ignore))
        {
            var type = column.Name == LabelColumn
                ? (Task == TuningTask.Regression ? "float" : "string")
                : column.Kind switch { ColumnKind.Numeric => "float", ColumnKind.Boolean => "bool", _ => "string" };
            var property = Identifier(column.Name);
            while (!used.Add(property) || property is "ModelInput" or "ModelOutput")
            {
                property += "_";
            }

            columns.Add((column, property, type));
        }

        return columns;
    }

    /// <summary>A C# identifier in Pascal case from a column name ("credit_score" to CreditScore).</summary>
    public static string Identifier(string name)
    {
        var text = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                text.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        var identifier = text.ToString();
        return identifier.Length == 0 || char.IsDigit(identifier[0]) ? "Column" + identifier : identifier;
    }

    /// <summary>A number as C# text that reads back to the same double.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
