using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetTuning.Studies;

/// <summary>Progress of a study: one line per ended trial to <c>MLContext.Log</c> and <see cref="TuningStudyOptions.Progress"/>,
/// and warnings (a budget that cannot finish a bracket) to the log and <see cref="StudyResult.Warnings"/>.</summary>
public sealed partial class TuningStudy
{
    /// <summary>The channel source of every line the library writes to <c>MLContext.Log</c>.</summary>
    public const string LogSource = "MLNetTuning";

    private readonly List<string> _warnings = [];
    private readonly IProgress<TrialProgress>? _progress;
    private readonly string _metricName;
    private IChannelProvider? _log;
    private int _finishedHere;

    /// <summary>Warnings given so far (also written to <c>MLContext.Log</c>).</summary>
    internal IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_gate)
            {
                return _warnings.ToList();
            }
        }
    }

    /// <summary>Writes the study's lines to <paramref name="context"/>'s log as well.</summary>
    internal TuningStudy LogTo(MLContext? context)
    {
        _log = context;
        return this;
    }

    /// <summary>Gives a warning once: kept for the result and written to the log.</summary>
    internal void Warn(string message)
    {
        lock (_gate)
        {
            if (_warnings.Contains(message))
            {
                return;
            }

            _warnings.Add(message);
        }

        Write(message, warning: true);
    }

    /// <summary>Writes a line to the log (ML.NET only hands it to <c>MLContext.Log</c>'s subscribers).</summary>
    internal void Write(string line, bool warning = false)
    {
        if (_log is null || Pipelines.MLNetInternals.Message(warning ? ChannelMessageKind.Warning : ChannelMessageKind.Info, line) is not { } message)
        {
            return;
        }

        // A pipe, not a channel: a channel also sends "Channel started" and "Channel disposed" to the log.
        using var pipe = _log.StartPipe<ChannelMessage>(LogSource);
        pipe.Send(message);
    }

    private void ReportProgress(TuningTrial trial)
    {
        if (_log is null && _progress is null)
        {
            return;
        }

        TrialProgress progress;
        lock (_gate)
        {
            progress = new TrialProgress(trial, _best, ++_finishedHere, _metricName);
        }

        Write(progress.Message);
        _progress?.Report(progress);
    }
}
