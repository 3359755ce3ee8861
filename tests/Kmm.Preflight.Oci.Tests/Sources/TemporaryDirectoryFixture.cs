namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>Base for fixtures whose every test gets a fresh temporary directory, deleted after the test.</summary>
public abstract class TemporaryDirectoryFixture
{
    private protected TemporaryDirectory Temp { get; private set; } = null!;

    [SetUp]
    public void CreateTemporaryDirectory() => Temp = new TemporaryDirectory();

    [TearDown]
    public void DeleteTemporaryDirectory() => Temp.Dispose();
}
