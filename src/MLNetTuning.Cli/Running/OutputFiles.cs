namespace MLNetTuning.Cli.Running;

/// <summary>The output folder: checked before any trial runs, and written so that a crash never leaves half a file.</summary>
internal static class OutputFiles
{
    /// <summary>Creates <paramref name="folder"/> if needed and proves it can be written, so that tuning never
    /// ends with results that cannot be saved.</summary>
    /// <exception cref="CliException">The path is a file, or the folder cannot be created or written (exit 2).</exception>
    public static void EnsureWritable(string folder, string option)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
        {
            throw new CliException($"{option} '{folder}' is a file; give a folder (it will hold best-model.zip, summary.json and the default studies.db).");
        }

        var probe = Path.Combine(full, $".mlnet-tune-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(full);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option} '{folder}' cannot be written ({e.Message}); give a folder you can write to.");
        }
    }

    /// <summary>Writes <paramref name="path"/> through a temporary file in the same folder that is then moved into
    /// place, so the previous file stays whole until the new one is complete.</summary>
    /// <param name="path">The file to replace.</param>
    /// <param name="write">Writes the content to the path it is given.</param>
    public static void ReplaceAtomically(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
