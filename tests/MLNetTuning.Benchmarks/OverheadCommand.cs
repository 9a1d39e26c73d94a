using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Tuners;

namespace MLNetTuning.Benchmarks;

/// <summary>
/// `overhead --tuner NAME|all --out out/overhead.json`: milliseconds per proposal once 100, 200 and 1000 trials have completed
/// on a 10-D float space. The history is the tuner's own proposals on a sphere function.
/// </summary>
public sealed class OverheadCommand : IBenchmarkCommand
{
    private static readonly int[] Checkpoints = [100, 200, 1000];

    public string Name => "overhead";

    public string Summary => "ms per proposal after 100, 200 and 1000 trials, 10-D floats: --tuner NAME|all --repeats 20 --seed 0 --out out/overhead.json";

    public int Run(BenchmarkArguments arguments)
    {
        var tuners = TunerRegistry.Resolve(arguments.String("tuner", "all"));
        var repeats = arguments.Int("repeats", 20);
        var seed = arguments.Int("seed", 0);
        var output = arguments.OutputPath("overhead.json");
        arguments.RejectUnknown();
        if (repeats < 1)
        {
            throw new ArgumentException($"--repeats must be at least 1, got {repeats}.");
        }

        var builder = HyperparameterSpace.CreateBuilder();
        for (var i = 0; i < 10; i++)
        {
            builder.Float($"x{i}", 0f, 1f);
        }

        var space = builder.Build();

        // A whole throwaway pass first, so that tiered compilation has produced optimised code before anything
        // is timed (otherwise the first tuner measured pays for it).
        foreach (var name in tuners)
        {
            Measure(TunerRegistry.All[name].Create(space, seed + 1), repeats);
        }

        var results = new List<Dictionary<string, object>>();
        Console.WriteLine($"{"tuner",-16}" + string.Concat(Checkpoints.Select(c => $"{$"ms after {c}",16}{$"cpu ms after {c}",18}")));
        foreach (var name in tuners)
        {
            var row = new Dictionary<string, object> { ["sampler"] = name };
            foreach (var (key, value) in Measure(TunerRegistry.All[name].Create(space, seed), repeats))
            {
                row[key] = value;
            }

            results.Add(row);
            Console.WriteLine($"{name,-16}" + string.Concat(Checkpoints.Select(c =>
                $"{((double)row[$"ms_after_{c}"]).ToString("F3", CultureInfo.InvariantCulture),16}{((double)row[$"cpu_ms_after_{c}"]).ToString("F3", CultureInfo.InvariantCulture),18}")));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "mlnettuning",
            ["space"] = "10-D float [0,1]",
            ["repeats"] = repeats,
            ["results"] = results,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static double Sphere(TrialParameters p) => p.Values.Sum(v => Math.Pow(Convert.ToDouble(v, CultureInfo.InvariantCulture) - 0.3, 2));

    /// <summary>Wall and process-CPU milliseconds per proposal at each checkpoint (-1 when the tuner stopped).</summary>
    private static Dictionary<string, double> Measure(IHyperparameterTuner tuner, int repeats)
    {
        var row = new Dictionary<string, double>();
        var id = 0;
        foreach (var checkpoint in Checkpoints)
        {
            while (id < checkpoint && !tuner.IsFinished)
            {
                var proposal = tuner.Propose(id);
                if (proposal is null)
                {
                    break;
                }

                TunerDriver.Complete(tuner, id++, proposal.Parameters, Sphere(proposal.Parameters));
            }

            // Each timed proposal is completed too, so the history stays at (about) the checkpoint. The process
            // CPU time is kept beside the wall time, as other work on the machine inflates the latter.
            var watch = new Stopwatch();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var timed = 0;
            for (var r = 0; r < repeats && !tuner.IsFinished; r++)
            {
                watch.Start();
                var proposal = tuner.Propose(id);
                watch.Stop();
                if (proposal is null)
                {
                    break;
                }

                timed++;
                TunerDriver.Complete(tuner, id++, proposal.Parameters, Sphere(proposal.Parameters));
            }

            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            row[$"ms_after_{checkpoint}"] = timed == 0 ? -1.0 : watch.Elapsed.TotalMilliseconds / timed;
            row[$"cpu_ms_after_{checkpoint}"] = timed == 0 ? -1.0 : cpu.TotalMilliseconds / timed;
        }

        return row;
    }
}
