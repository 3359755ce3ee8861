using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

public class RegistryClientOptionsTests
{
    [Test]
    public void Every_problem_is_listed_at_once()
    {
        var options = new RegistryClientOptions { MaxRetries = -1, AttemptTimeout = TimeSpan.Zero, UploadChunkSize = 0, UserAgent = " " };

        var error = Assert.Throws<ArgumentException>(() => new RegistryClient(options));

        Assert.That(error!.Message, Does.Contain("MaxRetries must not be negative (got -1)")
            .And.Contain("AttemptTimeout must be positive")
            .And.Contain("UploadChunkSize must be at least 1 (got 0)")
            .And.Contain("UserAgent must not be empty"));
    }

    [Test]
    public void Defaults_and_test_settings_are_valid()
    {
        Assert.DoesNotThrow(() => new RegistryClient().Dispose());
        Assert.DoesNotThrow(() => new RegistryClient(new RegistryClientOptions { MaxRetries = 0, RetryBaseDelay = TimeSpan.Zero, TopLayerPrefetchBytes = 0 }).Dispose());
    }
}
