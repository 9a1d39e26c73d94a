using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTuning.Cli.Data;
using MLNetTuning.Cli.Generation;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Cli.Running;
using MLNetTuning.Pipelines;
using MLNetTuning.Studies;
using MLNetTuning.Tuners;
using Spectre.Console;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>generate</c>: the best trial of a study as a Model Builder-style solution the user owns.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var connection = CommonOptions.Connection();
        var study = CommonOptions.Study(required: false);
        var from = new Option<string?>("--from") { Description = "A summary.json written by 'tune': its study and store (instead of --study and --storage)." };
        var output = new Option<string>("--out") { Description = "Folder to write the solution into.", Required = true };
        var name = new Option<string>("--name") { Description = "Name of the model, its project and its classes (a C# identifier). Default MLModel.", DefaultValueFactory = _ => "MLModel" };
        var command = new Command("generate", "Write a study's best trial as a solution: model, training, evaluation and consumption code, a .mltune config, and a console app.")
        {
            storage, connection, study, from, output, name,
        };
        command.SetAction((result, cancellationToken) => Program.Guard(() =>
        {
            var modelName = result.GetValue(name)!;
            if (ModelProject.Identifier(modelName) != modelName)
            {
                throw new CliException($"--name '{modelName}' must be a C# identifier in Pascal case, e.g. {ModelProject.Identifier(modelName)}.");
            }

            var (studyName, storageText) = Locate(result.GetValue(study), result.GetValue(storage), result.GetValue(from));
            var store = StoreLocation.Open(storageText, result.GetValue(connection), CommonOptions.DefaultStorage(CommonOptions.DefaultOutput), readOnly: true);
            try
            {
                var stored = store.FindStudy(studyName)
                    ?? throw new CliException($"Study '{studyName}' is not in {StoreLocation.Describe(store)}. Studies: {string.Join(", ", store.ListStudies().Select(s => s.Name).DefaultIfEmpty("(none)"))}.");
                if (!stored.Attributes.TryGetValue(TuneSettings.AttributeKey, out var json))
                {
                    throw new CliException($"Study '{studyName}' was not made by 'mlnet-tune tune' (it has no stored settings), so the tool does not know its data and pipeline.");
                }

                var settings = TuneSettings.FromJson(json);
                var best = store.Load(studyName).Where(t => t.State == TrialState.Completed).OrderBy(t => t.Loss).ThenBy(t => t.Id).FirstOrDefault()
                    ?? throw new CliException($"Study '{studyName}' has no completed trial yet; tune first.");
                var folder = result.GetValue(output)!;
                var written = Generate(settings, studyName, best, folder, modelName, cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"Wrote trial {best.Id} ({best.Attributes.GetValueOrDefault("trainer", "?")}) of study '{studyName}' as {modelName} to {Path.GetFullPath(folder)}:");
                foreach (var file in written.Order(StringComparer.Ordinal))
                {
                    AnsiConsole.WriteLine("  " + Path.GetRelativePath(folder, file));
                }

                AnsiConsole.MarkupLineInterpolated($"Build and run it: dotnet run --project {Path.Combine(folder, modelName + ".ConsoleApp")}");
                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }

    /// <summary>Writes the solution of trial <paramref name="best"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Generate(TuneSettings settings, string studyName, TuningTrial best, string folder, string modelName, CancellationToken cancellationToken)
    {
        var task = TaskNames.Parse(settings.Task);
        var ml = new MLContext(settings.Seed);
        var tuner = TunerNames.Resolve(ml.Tuning().Tuners, settings.Tuner);
        if (tuner.Name == "pbt")
        {
            throw new CliException("generate cannot write a PBT study's winner: population-based training changes the hyperparameters during training (each interval continues a parent's model with perturbed hyperparameters), so its best model has no single configuration that BuildPipeline could state, and generate does not write the chain of intervals that would replay it. Tune with another tuner (hyperband, asha or bohb also stop poor trials early) to generate code.");
        }

        if (settings.DataHash is { } hash && File.Exists(settings.DataPath) && TuneSettings.Fingerprint(settings.DataPath).Hash != hash)
        {
            throw new CliException($"The data file '{settings.DataPath}' changed since the study ran; the generated code would not reproduce the trial.");
        }

        var file = TabularFile.Inspect(settings.DataPath).WithKinds(settings.Kinds());
        var prepared = PreparedData.Build(ml, file, settings.LabelColumn, task, settings.Trainers, settings.Metric, settings.ValidationFraction, settings.Seed);
        var trialSeed = SeedMixer.Mix(settings.Seed, best.Id);
        var trialMl = new MLContext(trialSeed);
        var chain = prepared.Pipeline.Build(trialMl, best.Parameters);
        var trainer = (chain as EstimatorChain<ITransformer>)?.LastEstimator
            ?? throw new CliException("The study's pipeline has no trainer to write.");
        var code = TrainerCode.Of(trainer);
        cancellationToken.ThrowIfCancellationRequested();
        var model = chain.Fit(prepared.Train);
        var project = new ModelProject
        {
            Name = modelName,
            StudyName = studyName,
            TrialId = best.Id,
            StudyValue = best.Value ?? double.NaN,
            Metric = prepared.Metric,
            Task = task,
            File = file,
            LabelColumn = settings.LabelColumn,
            Classes = prepared.Label.Classes,
            Steps = prepared.Steps,
            Trainer = code,
            StudySeed = settings.Seed,
            TrialSeed = trialSeed,
            ValidationFraction = settings.ValidationFraction,
            HasProbability = model.GetOutputSchema(prepared.Train.Schema).GetColumnOrNull("Probability") is not null,
        };
        OutputFiles.EnsureWritable(folder, "--out");
        var written = SolutionWriter.Write(project, folder).ToList();
        var library = Path.Combine(folder, modelName);
        var zip = Path.Combine(library, modelName + ".zip");
        ml.Model.Save(model, prepared.Train.Schema, zip);
        var config = Path.Combine(library, modelName + ".mltune");
        File.WriteAllText(config, TuneConfig.Of(settings, studyName).ToJson());
        written.Add(zip);
        written.Add(config);
        return written;
    }

    /// <summary>The study and store: from --study/--storage, or from a summary.json.</summary>
    private static (string Study, string? Storage) Locate(string? study, string? storage, string? from)
    {
        if (from is null)
        {
            return (study ?? throw new CliException("Give --study NAME (and --storage) or --from summary.json."), storage);
        }

        if (!File.Exists(from))
        {
            throw new CliException($"Summary file not found: '{from}'.");
        }

        JsonNode? summary;
        try
        {
            summary = JsonNode.Parse(File.ReadAllText(from));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"'{from}' is not a summary.json of 'tune': {e.Message}");
        }

        var named = summary?["study"]?.GetValue<string>() ?? throw new CliException($"'{from}' names no study; is it a summary.json of 'tune'?");
        var where = summary["storage"]?.GetValue<string>();
        return (study ?? named, storage ?? (where is not null && where.StartsWith("postgres:", StringComparison.Ordinal) ? "postgres" : where));
    }
}
