using Kmm.Preflight.Oci.Layers.Zstd;

namespace Kmm.Preflight.Oci.Tests.Layers.Zstd;

/// <summary>Tests of the libzstd bindings: libzstd1 is part of every Debian system, so not finding it is a failure.</summary>
public abstract class LibzstdRequired
{
    [OneTimeSetUp]
    public void RequireLibzstd()
    {
        if (!NativeZstdLibrary.IsAvailable)
        {
            // dpkg and apt link it: not finding it is a failure, not a skip.
            Assert.Fail($"libzstd not used: {NativeZstdLibrary.UnavailableReason}");
        }
    }
}
