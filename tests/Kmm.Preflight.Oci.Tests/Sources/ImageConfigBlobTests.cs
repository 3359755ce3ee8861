using System.Text;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Tests.Sources;

public sealed class ImageConfigBlobTests
{
    private static readonly byte[] Config = Encoding.UTF8.GetBytes("""{"os":"linux","architecture":"arm64","config":{"Labels":{"a":"b"}},"extra":1}""");

    [Test]
    public async Task Bytes_given_are_kept_exactly_and_parsed_without_a_read()
    {
        var blob = new ImageConfigBlob(Config);

        Assert.That(blob.IsRead, Is.True);
        Assert.That((await blob.ReadBytesAsync()).ToArray(), Is.EqualTo(Config));
        Assert.That((await blob.ReadAsync()).Architecture, Is.EqualTo("arm64"));
    }

    [Test]
    public void Bytes_that_are_not_a_config_are_refused_with_the_source_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => _ = new ImageConfigBlob("[1]"u8.ToArray(), "layout x: config"));

        Assert.That(error!.Message, Does.StartWith("layout x: config"));
    }

    [Test]
    public async Task A_deferred_blob_is_read_once_by_concurrent_callers()
    {
        var reads = 0;
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blob = new ImageConfigBlob(_ => { Interlocked.Increment(ref reads); return release.Task; }, "test config");
        Assert.That(blob.IsRead, Is.False);

        var first = blob.ReadAsync();
        var second = blob.ReadBytesAsync();
        release.SetResult(Config);

        Assert.That((await first).Labels["a"], Is.EqualTo("b"));
        Assert.That((await second).ToArray(), Is.EqualTo(Config));
        Assert.That(blob.IsRead, Is.True);
        await blob.ReadAsync();
        Assert.That(reads, Is.EqualTo(1));
    }

    [Test]
    public async Task A_failed_read_is_not_remembered_and_the_next_caller_reads_again()
    {
        var attempts = 0;
        var blob = new ImageConfigBlob(
            _ => ++attempts == 1 ? Task.FromException<byte[]>(new IOException("connection reset")) : Task.FromResult(Config),
            "test config");

        Assert.ThrowsAsync<IOException>(() => blob.ReadAsync());
        Assert.That((await blob.ReadAsync()).Os, Is.EqualTo("linux"));
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public void Malformed_bytes_read_later_fail_with_the_source_named()
    {
        var blob = new ImageConfigBlob(_ => Task.FromResult("not json"u8.ToArray()), "registry.example/x:1 config sha256:ab");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => blob.ReadAsync());

        Assert.That(error!.Message, Does.StartWith("registry.example/x:1 config sha256:ab"));
        Assert.That(blob.IsRead, Is.False);
    }

    [Test]
    public async Task A_caller_that_gives_up_does_not_cancel_the_read_others_wait_for()
    {
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        var blob = new ImageConfigBlob(token => { seen = token; return release.Task; }, "test config");
        using var impatient = new CancellationTokenSource();

        var givenUp = blob.ReadAsync(impatient.Token);
        var patient = blob.ReadAsync();
        await impatient.CancelAsync();

        Assert.That(async () => await givenUp, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(seen.CanBeCanceled, Is.False, "the shared read does not carry one caller's token");
        release.SetResult(Config);
        Assert.That((await patient).Architecture, Is.EqualTo("arm64"));
    }
}
