using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

public class ImageFileSystemOptionsTests
{
    [Test]
    public void Every_problem_is_listed_instead_of_clamped()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageFileSystem(TestImages.Create(), new ImageFileSystemOptions { MaxParallelLayers = 0, Limits = null! }));

        Assert.That(error!.Message, Does.Contain("MaxParallelLayers must be between 1 and 64 (got 0)").And.Contain("Limits must not be null"));
    }
}
