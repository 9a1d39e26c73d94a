namespace MLNetTuning.Benchmarks;

/// <summary>One benchmark command (`dotnet run -c Release --project tests/MLNetTuning.Benchmarks -- NAME ...`).
/// Each command is one class in its own file; Program finds them by reflection.</summary>
public interface IBenchmarkCommand
{
    /// <summary>The command word.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Runs with the remaining arguments; returns the exit code. Prints a table and writes JSON.</summary>
    int Run(BenchmarkArguments arguments);
}
