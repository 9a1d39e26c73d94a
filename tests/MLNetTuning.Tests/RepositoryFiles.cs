namespace MLNetTuning.Tests;

/// <summary>Files of this checkout the tests read: the repository root (the folder above the tests that holds
/// MLNetTuning.sln) and the shipped sample data.</summary>
internal static class RepositoryFiles
{
    /// <summary>samples/data/loans.csv, the loan data the CLI's main job tunes.</summary>
    public static string Loans => Path.Combine(RepositoryRoot(), "samples", "data", "loans.csv");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLNetTuning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"The repository root (MLNetTuning.sln) is not above {AppContext.BaseDirectory}.");
    }
}
