using MLNetTuning.Tests.Storage;

namespace MLNetTuning.Tests;

/// <summary>A test class whose tests each get a fresh temporary folder, deleted afterwards.</summary>
public abstract class TempFolderTest
{
    /// <summary>This test's folder.</summary>
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder() => Folder = StoreTestKit.TempFolder();

    [TearDown]
    public void DeleteFolder()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
