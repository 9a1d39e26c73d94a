using System.Diagnostics;
using System.Text.RegularExpressions;
using MLNetTuning.SearchSpaces;
using MLNetTuning.Storage;
using MLNetTuning.Tuners;

namespace MLNetTuning.Studies;

/// <summary>Options of a <see cref="TuningStudy"/>.</summary>
public sealed class TuningStudyOptions
{
    private string _name = "study";

    /// <summary>The study's name in its store: letters, digits, '-', '_' and '.', at most 128 characters. Default "study".</summary>
    public string Name
    {
        get => _name;
        set => _name = ValidateName(value);
    }

    /// <summary>Whether the metric is better lower (default) or higher.</summary>
    public OptimizationDirection Direction { get; set; } = OptimizationDirection.Minimize;

    /// <summary>Where trials are kept; in memory when null.</summary>
    public ITrialStore? Store { get; set; }

    internal static string ValidateName(string? name) =>
        name is not null && Regex.IsMatch(name, "^[A-Za-z0-9_.-]{1,128}$")
            ? name
            : throw new ArgumentException($"Invalid study name '{name}': use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(name));
}

/// <summary>
/// Tunes any objective: ask for a trial, evaluate it, tell the result (<see cref="Ask"/>, <see cref="Tell"/>),
/// or hand an objective to <see cref="OptimizeAsync"/>, which runs trials in parallel within a trial and time
/// budget. A trial that throws or returns NaN or infinity is recorded as failed and the study goes on.
/// </summary>
/// <remarks>
/// Events are raised on the thread that ends the trial (a worker thread while optimizing); handlers must be
/// quick and thread-safe. Opening a study whose store already holds trials resumes it: the tuner is rebuilt
/// from the history, and trials left running by a crash are marked failed.
/// </remarks>
public sealed class TuningStudy
{
    private readonly object _gate = new();
    private readonly List<TuningTrial> _trials = [];
    private readonly ITrialStore _store;
    private TuningTrial? _best;

    /// <summary>Opens a study (resuming what its store holds under its name).</summary>
    public TuningStudy(IHyperparameterTuner tuner, TuningStudyOptions? options = null)
    {
        Tuner = tuner ?? throw new ArgumentNullException(nameof(tuner));
        options ??= new TuningStudyOptions();
        Name = options.Name;
        Direction = options.Direction;
        _store = options.Store ?? new InMemoryTrialStore();
        foreach (var trial in _store.Load(Name))
        {
            if (trial.State == TrialState.Running)
            {
                trial.Restore(TrialState.Failed, null, null, "Interrupted: the study stopped while this trial was running.", DateTimeOffset.UtcNow);
                _store.Save(Name, trial);
            }

            _trials.Add(trial);
            Tuner.Complete(trial);
            UpdateBest(trial);
        }
    }

    /// <summary>The study's name.</summary>
    public string Name { get; }

    /// <summary>Whether the metric is better lower or higher.</summary>
    public OptimizationDirection Direction { get; }

    /// <summary>The tuner.</summary>
    public IHyperparameterTuner Tuner { get; }

    /// <summary>The search space.</summary>
    public HyperparameterSpace Space => Tuner.Space;

    /// <summary>A snapshot of every trial, by id.</summary>
    public IReadOnlyList<TuningTrial> Trials
    {
        get
        {
            lock (_gate)
            {
                return _trials.ToList();
            }
        }
    }

    /// <summary>The completed trial with the best value so far.</summary>
    public TuningTrial? BestTrial
    {
        get
        {
            lock (_gate)
            {
                return _best;
            }
        }
    }

    /// <summary>A trial was proposed and starts running.</summary>
    public event EventHandler<TrialEventArgs>? TrialStarted;

    /// <summary>A running trial reported an intermediate value.</summary>
    public event EventHandler<TrialEventArgs>? TrialReported;

    /// <summary>A trial completed with a value.</summary>
    public event EventHandler<TrialEventArgs>? TrialCompleted;

    /// <summary>A trial was pruned.</summary>
    public event EventHandler<TrialEventArgs>? TrialPruned;

    /// <summary>A trial failed; see <see cref="TuningTrial.Error"/>.</summary>
    public event EventHandler<TrialEventArgs>? TrialFailed;

    /// <summary>A completed trial beat every earlier one.</summary>
    public event EventHandler<TrialEventArgs>? NewBestTrial;

    /// <summary>Asks the tuner for a trial and starts it.</summary>
    /// <returns>The running trial, or null when the tuner has nothing to propose now.</returns>
    public TuningTrial? Ask()
    {
        TuningTrial trial;
        lock (_gate)
        {
            if (Tuner.IsFinished)
            {
                return null;
            }

            var id = _store.NextTrialId(Name);
            var proposal = Tuner.Propose(id);
            if (proposal is null)
            {
                return null;
            }

            if (!Space.Contains(proposal.Parameters))
            {
                throw new InvalidOperationException($"The tuner {Tuner.GetType().Name} proposed parameters outside its space: {proposal.Parameters}.");
            }

            trial = new TuningTrial(id, proposal.Parameters, proposal.Budget, proposal.ParentTrialId);
            foreach (var (key, value) in proposal.Attributes ?? new Dictionary<string, string>())
            {
                trial.SetAttribute(key, value);
            }

            _trials.Add(trial);
            _store.Save(Name, trial);
        }

        TrialStarted?.Invoke(this, new TrialEventArgs(trial));
        return trial;
    }

    /// <summary>Records an intermediate value of a running trial and asks the tuner whether it should go on.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite, or the trial is not a running trial of this study.</exception>
    public TrialDecision Report(TuningTrial trial, int step, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Trial {trial?.Id}: the intermediate value at step {step} is {value}; values must be finite numbers.", nameof(value));
        }

        TrialDecision decision;
        lock (_gate)
        {
            CheckRunning(trial);
            trial.AddIntermediate(step, value);
            decision = Tuner.Report(trial, step, ToLoss(value));
            if (decision == TrialDecision.Stop)
            {
                trial.StopRequested = true;
            }

            _store.Save(Name, trial);
        }

        TrialReported?.Invoke(this, new TrialEventArgs(trial));
        return decision;
    }

    /// <summary>Completes a trial with its value; a trial the tuner had told to stop is recorded as pruned.
    /// A NaN or infinite value fails the trial.</summary>
    public void Tell(TuningTrial trial, double value)
    {
        if (!double.IsFinite(value))
        {
            TellFailure(trial, new ArgumentException($"The objective returned {value}; a metric must be a finite number."));
            return;
        }

        Finish(trial, trial.StopRequested ? TrialState.Pruned : TrialState.Completed, value, null);
    }

    /// <summary>Ends a trial as pruned, with its last reported value.</summary>
    public void TellPruned(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        double? last = trial.IntermediateValues.Count > 0 ? trial.IntermediateValues.Last().Value : null;
        Finish(trial, TrialState.Pruned, last, null);
    }

    /// <summary>Ends a trial as failed with the exception it threw.</summary>
    public void TellFailure(TuningTrial trial, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Finish(trial, TrialState.Failed, null, error);
    }

    internal void SetAttribute(TuningTrial trial, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            trial.SetAttribute(key, value ?? "");
        }
    }

    /// <summary>Runs <paramref name="objective"/> on trials until a limit is reached, the tuner is finished or
    /// <paramref name="cancellationToken"/> is cancelled. Never throws for a failing trial.</summary>
    /// <param name="objective">Evaluates one trial and returns its metric (as the user knows it).</param>
    /// <param name="limits">Trial and time budget, and parallelism.</param>
    /// <param name="cancellationToken">Stops the run; running trials see it through <see cref="TrialContext.CancellationToken"/>.</param>
    public async Task<StudyResult> OptimizeAsync(Func<TrialContext, CancellationToken, Task<double>> objective, StudyLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        limits ??= new StudyLimits();
        var clock = Stopwatch.StartNew();
        using var deadline = limits.TimeBudget is { } budget ? new CancellationTokenSource(budget) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var running = new List<Task>();
        var started = 0;
        var reason = StudyStopReason.TunerFinished;
        while (true)
        {
            while (running.Count < limits.MaxConcurrentTrials)
            {
                if (stop.IsCancellationRequested)
                {
                    reason = cancellationToken.IsCancellationRequested ? StudyStopReason.Cancelled : StudyStopReason.TimeBudget;
                    break;
                }

                if (started >= limits.MaxTrials)
                {
                    reason = StudyStopReason.MaxTrials;
                    break;
                }

                var trial = Ask();
                if (trial is null)
                {
                    reason = StudyStopReason.TunerFinished;
                    break;
                }

                started++;
                running.Add(RunTrialAsync(trial, objective, stop.Token, cancellationToken));
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            await done.ConfigureAwait(false);
        }

        // A cancellation or deadline that came while the last trials ran is the true reason to report.
        if (reason == StudyStopReason.TunerFinished && stop.IsCancellationRequested && !Tuner.IsFinished)
        {
            reason = cancellationToken.IsCancellationRequested ? StudyStopReason.Cancelled : StudyStopReason.TimeBudget;
        }

        lock (_gate)
        {
            return new StudyResult(_trials.ToList(), _best, reason, clock.Elapsed);
        }
    }

    /// <summary>Runs a synchronous objective; see <see cref="OptimizeAsync"/>.</summary>
    public StudyResult Optimize(Func<TrialContext, double> objective, StudyLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return OptimizeAsync((context, _) => Task.FromResult(objective(context)), limits, cancellationToken).GetAwaiter().GetResult();
    }

    private async Task RunTrialAsync(TuningTrial trial, Func<TrialContext, CancellationToken, Task<double>> objective, CancellationToken stop, CancellationToken userToken)
    {
        try
        {
            var context = new TrialContext(this, trial, stop);
            var value = await Task.Run(() => objective(context, stop), CancellationToken.None).ConfigureAwait(false);
            Tell(trial, value);
        }
        catch (TrialPrunedException)
        {
            TellPruned(trial);
        }
        catch (OperationCanceledException e) when (stop.IsCancellationRequested)
        {
            var why = userToken.IsCancellationRequested ? "the study was cancelled" : "the time budget ran out";
            TellFailure(trial, new OperationCanceledException($"The trial was stopped because {why}.", e));
        }
        catch (Exception e)
        {
            TellFailure(trial, e);
        }
    }

    private void Finish(TuningTrial trial, TrialState state, double? value, Exception? error)
    {
        bool newBest;
        lock (_gate)
        {
            CheckRunning(trial);
            trial.Value = value;
            trial.Loss = value is double v ? ToLoss(v) : null;
            trial.Exception = error;
            trial.Error = error is null ? null : $"{error.GetType().Name}: {error.Message}";
            trial.CompletedAt = DateTimeOffset.UtcNow;
            trial.State = state;

            // Stored before the tuner learns of it, and so before the next proposal.
            _store.Save(Name, trial);
            Tuner.Complete(trial);
            newBest = UpdateBest(trial);
        }

        var args = new TrialEventArgs(trial);
        var handler = state switch
        {
            TrialState.Completed => TrialCompleted,
            TrialState.Pruned => TrialPruned,
            _ => TrialFailed,
        };
        handler?.Invoke(this, args);
        if (newBest)
        {
            NewBestTrial?.Invoke(this, args);
        }
    }

    private bool UpdateBest(TuningTrial trial)
    {
        if (trial.State != TrialState.Completed || trial.Loss is not double loss || (_best is not null && _best.Loss <= loss))
        {
            return false;
        }

        _best = trial;
        return true;
    }

    private void CheckRunning(TuningTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (!_trials.Contains(trial))
        {
            throw new ArgumentException($"Trial {trial.Id} does not belong to study '{Name}'.", nameof(trial));
        }

        if (trial.State != TrialState.Running)
        {
            throw new InvalidOperationException($"Trial {trial.Id} has already ended ({trial.State}).");
        }
    }

    private double ToLoss(double value) => Direction == OptimizationDirection.Maximize ? -value : value;
}
