using System.Text.Json.Nodes;
using Microsoft.ML;

namespace MLNetTuning.Cli.Running;

/// <summary>
/// Keeps best-model.zip current while tuning: a trial that beats every trial before it is saved in the background
/// (atomically, one save at a time), so when the run ends (time budget, Ctrl+C) the model is usually on disk
/// already and only the summary is left to write.
/// </summary>
/// <param name="path">best-model.zip.</param>
/// <param name="bestLossSoFar">The study's best loss when the run starts (a resumed study's); only better trials are saved.</param>
/// <param name="save">Writes a model to the path it is given.</param>
/// <param name="heldTrialId">The trial whose model the file holds when the run starts (see <see cref="TrialHeld"/>), or -1.</param>
internal sealed class BestModelFile(string path, double bestLossSoFar, Action<ITransformer, string> save, int heldTrialId)
{
    private readonly object _gate = new();
    private double _bestLoss = bestLossSoFar;
    private Task _saving = Task.CompletedTask;
    private int _savedTrialId = heldTrialId;

    /// <summary>
    /// The trial whose model <paramref name="modelPath"/> holds, as the summary.json beside it says (-1 when unknown):
    /// a resumed run whose best is still an earlier run's trial then keeps that file instead of training the trial
    /// again. Trusted only when the summary names this study and store, no test refit, and this model file, and the
    /// file is not newer than the summary (a run killed after a background save left a newer model behind).
    /// </summary>
    public static int TrialHeld(string modelPath, string studyName, string storage)
    {
        var summaryPath = Path.Combine(Path.GetDirectoryName(modelPath) ?? ".", "summary.json");
        try
        {
            if (!File.Exists(modelPath) || !File.Exists(summaryPath) || File.GetLastWriteTimeUtc(modelPath) > File.GetLastWriteTimeUtc(summaryPath))
            {
                return -1;
            }

            var summary = JsonNode.Parse(File.ReadAllText(summaryPath));
            var matches = (string?)summary?["study"] == studyName
                && (string?)summary?["storage"] == storage
                && summary?["test"] is null
                && (string?)summary?["model"] == Path.GetFullPath(modelPath);
            return matches && summary?["best"]?["trial"] is JsonValue trial && trial.TryGetValue(out int id) ? id : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // An unreadable summary only means the model is trained again.
            return -1;
        }
    }

    /// <summary>Saves <paramref name="model"/> in the background if its loss beats every one offered or stored before.</summary>
    public void Offer(int trialId, double loss, ITransformer model)
    {
        lock (_gate)
        {
            if (!double.IsFinite(loss) || loss >= _bestLoss)
            {
                return;
            }

            _bestLoss = loss;
            _saving = _saving.ContinueWith(
                _ =>
                {
                    try
                    {
                        OutputFiles.ReplaceAtomically(path, p => save(model, p));
                        Volatile.Write(ref _savedTrialId, trialId);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // The final save tries again and reports the failure.
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    /// <summary>Waits for the saves under way; the trial whose model the file now holds, or -1.</summary>
    public async Task<int> FlushAsync()
    {
        Task saving;
        lock (_gate)
        {
            saving = _saving;
        }

        await saving.ConfigureAwait(false);
        return Volatile.Read(ref _savedTrialId);
    }
}
