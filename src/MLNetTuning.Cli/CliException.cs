namespace MLNetTuning.Cli;

/// <summary>A bad input or an unusable store: the message names the problem; the tool prints it and exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>An argument error's message without the " (Parameter 'name')" that names a C# parameter, not an option.</summary>
    public static string MessageOf(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done; at least one trial completed.</summary>
    public const int Success = 0;

    /// <summary>Every trial failed.</summary>
    public const int AllTrialsFailed = 1;

    /// <summary>Bad input: a missing file, an unknown column, trainer or tuner, empty data, a bad option.</summary>
    public const int BadInput = 2;

    /// <summary>The store cannot be used: unreachable database, corrupt file, a study of another space.</summary>
    public const int StoreError = 3;

    /// <summary>Interrupted by Ctrl+C or SIGTERM; what ran is stored, and the best model and summary are saved.</summary>
    public const int Cancelled = 130;
}
