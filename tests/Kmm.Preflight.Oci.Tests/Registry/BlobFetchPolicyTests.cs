using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>The small parts of the fetch policy: signed-URL expiry, the storage-URL cache, the floor, the options.</summary>
public class BlobFetchPolicyTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Test]
    public void Signed_url_expiry_is_read_from_S3_GCS_and_CloudFront_queries()
    {
        Assert.That(SignedUrlExpiry.From(new Uri("https://s3.example/b/k?X-Amz-Date=20261201T030000Z&X-Amz-Expires=1200&X-Amz-Signature=x")),
            Is.EqualTo(new DateTimeOffset(2026, 12, 1, 3, 20, 0, TimeSpan.Zero)));
        Assert.That(SignedUrlExpiry.From(new Uri("https://storage.example/b/k?X-Goog-Date=20261201T030000Z&X-Goog-Expires=60")),
            Is.EqualTo(new DateTimeOffset(2026, 12, 1, 3, 1, 0, TimeSpan.Zero)));
        Assert.That(SignedUrlExpiry.From(new Uri("https://cdn.example/k?Expires=1796094000&Signature=x")), Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1796094000)));
        Assert.That(SignedUrlExpiry.From(new Uri("https://cdn.example/k?X-Amz-Date=garbage&X-Amz-Expires=60")), Is.Null);
        Assert.That(SignedUrlExpiry.From(new Uri("https://cdn.example/k")), Is.Null);
    }

    [Test]
    public void Storage_urls_are_reused_until_shortly_before_they_expire()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var locations = new BlobLocations(clock);
        var signed = new Uri("https://s3.example/k?X-Amz-Date=20261201T030000Z&X-Amz-Expires=60");

        locations.Remember("blob", signed);
        Assert.That(locations.Get("blob"), Is.EqualTo(signed));

        clock.Now = clock.Now.AddSeconds(50);
        Assert.That(locations.Get("blob"), Is.Null, "a margin before the signed expiry");
    }

    [Test]
    public void Storage_url_without_expiry_is_kept_a_few_minutes_and_can_be_forgotten()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddYears(56));
        var locations = new BlobLocations(clock);
        var plain = new Uri("http://127.0.0.2:9000/storage/blob");

        locations.Remember("blob", plain);
        clock.Now += BlobLocations.UnknownLifetime - TimeSpan.FromMinutes(1);
        Assert.That(locations.Get("blob"), Is.EqualTo(plain));
        locations.Forget("blob");
        Assert.That(locations.Get("blob"), Is.Null);

        locations.Remember("blob", plain);
        clock.Now += BlobLocations.UnknownLifetime;
        Assert.That(locations.Get("blob"), Is.Null);
    }

    [Test]
    public void Already_expired_url_is_not_remembered()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero));
        var locations = new BlobLocations(clock);

        locations.Remember("blob", new Uri("https://s3.example/k?X-Amz-Date=20261201T030000Z&X-Amz-Expires=60"));

        Assert.That(locations.Get("blob"), Is.Null);
    }

    [Test]
    public void Floor_fails_a_window_with_too_few_bytes_and_passes_one_with_enough()
    {
        var window = TimeSpan.FromMilliseconds(50);
        var slow = new ThroughputFloor(minBytesPerSecond: 1000, window);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(60);
        Assert.That(slow.RecordAndCheck(10, started), Is.True, "10 bytes in 60 ms is under 1000 bytes/s");

        var fast = new ThroughputFloor(minBytesPerSecond: 1000, window);
        started = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(60);
        Assert.That(fast.RecordAndCheck(10_000, started), Is.False);
        Assert.That(fast.Bytes, Is.Zero, "a window that passed starts the next one");

        Assert.That(new ThroughputFloor(0, window).RecordAndCheck(0, started), Is.False, "0 turns the floor off");
    }

    [Test]
    public void Floor_time_counts_only_waiting_inside_reads()
    {
        var floor = new ThroughputFloor(minBytesPerSecond: 1000, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 3; i++)
        {
            // The caller is slow between reads; each read itself returns at once.
            Thread.Sleep(30);
            Assert.That(floor.RecordAndCheck(1, System.Diagnostics.Stopwatch.GetTimestamp()), Is.False);
        }
    }

    [Test]
    public void Fetch_options_are_validated()
    {
        var options = new RegistryClientOptions { MinBlobBytesPerSecond = -1, BlobSpeedWindow = TimeSpan.Zero, MaxSlowBlobAttempts = 0, MaxConnectionsPerRegistry = -1 };

        var error = Assert.Throws<ArgumentException>(() => new RegistryClient(options));

        Assert.That(error!.Message, Does.Contain("MinBlobBytesPerSecond must not be negative")
            .And.Contain("BlobSpeedWindow must be positive")
            .And.Contain("MaxSlowBlobAttempts must be at least 1")
            .And.Contain("MaxConnectionsPerRegistry must not be negative"));
        Assert.DoesNotThrow(() => new RegistryClient(new RegistryClientOptions { MinBlobBytesPerSecond = 0, MaxConnectionsPerRegistry = 0 }).Dispose());
    }
}
