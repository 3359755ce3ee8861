using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

[Category("Integration")]
public sealed class RegistryPushTests
{
    private RegistryProcess _registry = null!;

    [OneTimeSetUp]
    public async Task Start() => _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);

    private static async Task<byte[]> ReadAsync(RegistryClient client, ImageReference repository, Digest digest, long size)
    {
        await using var stream = await client.OpenBlobAsync(repository, digest, size);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task Large_blob_is_uploaded_in_chunks()
    {
        var faults = new FaultInjectingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = faults, MaxMonolithicUploadBytes = 1000, UploadChunkSize = 700 });
        var blob = TestLayers.Random(2500, seed: 11).Content;
        var repository = _registry.Reference("push/chunked:v1");

        await client.PushBlobAsync(repository, Digest.Sha256(blob), blob);

        Assert.That(faults.Requests.Count(r => r.Method == HttpMethod.Patch), Is.EqualTo(4));
        Assert.That(await ReadAsync(client, repository, Digest.Sha256(blob), blob.Length), Is.EqualTo(blob));
        faults.Dispose();
    }

    [Test]
    public async Task Blob_from_a_non_seekable_stream_is_uploaded()
    {
        using var client = _registry.CreateClient();
        var blob = TestLayers.Random(70_000, seed: 12).Content;
        var repository = _registry.Reference("push/stream:v1");
        await using var stream = new BufferedStream(new MemoryStream(blob));

        await client.PushBlobAsync(repository, Digest.Sha256(blob), new NonSeekable(stream), blob.Length);

        Assert.That(await client.BlobExistsAsync(repository, Digest.Sha256(blob)), Is.True);
        Assert.That(await ReadAsync(client, repository, Digest.Sha256(blob), blob.Length), Is.EqualTo(blob));
    }

    [Test]
    public async Task Existing_blob_is_not_uploaded_again()
    {
        var faults = new FaultInjectingHandler();
        using var client = new RegistryClient(_registry.CreateClientOptions() with { InnerHandler = faults });
        var blob = new byte[] { 42, 43 };
        var repository = _registry.Reference("push/twice:v1");

        await client.PushBlobAsync(repository, Digest.Sha256(blob), blob);
        await client.PushBlobAsync(repository, Digest.Sha256(blob), blob);

        Assert.That(faults.Requests.Count(r => r.Method == HttpMethod.Post), Is.EqualTo(1));
        faults.Dispose();
    }

    [Test]
    public void Blob_with_the_wrong_digest_is_refused_before_sending()
    {
        using var client = _registry.CreateClient();
        var error = Assert.ThrowsAsync<ArgumentException>(() => client.PushBlobAsync(_registry.Reference("push/bad:v1"), Digest.Sha256([1]), new byte[] { 2 }));
        Assert.That(error!.Message, Does.Contain(Digest.Sha256([1]).ToString()));
    }

    [Test]
    public async Task Wrong_digest_from_a_stream_is_refused_by_the_registry()
    {
        using var client = _registry.CreateClient();
        using var stream = new MemoryStream([5, 6, 7]);

        var error = Assert.ThrowsAsync<RegistryException>(() => client.PushBlobAsync(_registry.Reference("push/bad:v1"), Digest.Sha256([1]), stream, 3));

        Assert.That(error!.ErrorCodes, Does.Contain("DIGEST_INVALID"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Manifest_referring_to_a_missing_blob_is_refused_with_the_registry_code()
    {
        using var client = _registry.CreateClient();
        var missing = Digest.Sha256([0xde, 0xad]);
        var manifest = System.Text.Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{missing}}}","size":2},"layers":[]}""");

        var error = Assert.ThrowsAsync<RegistryException>(() => client.PushManifestAsync(_registry.Reference("push/broken:v1"), Oci.Manifests.MediaType.OciManifest, manifest));

        Assert.That(error!.ErrorCodes, Does.Contain("MANIFEST_BLOB_UNKNOWN"));
        Assert.That(error.Message, Does.Contain("push/broken:v1"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Mount_from_a_repository_without_the_blob_returns_false()
    {
        using var client = _registry.CreateClient();
        var digest = Digest.Sha256([7, 7, 7]);

        var mounted = await client.MountBlobAsync(_registry.Reference("push/target:v1"), digest, _registry.Reference("push/empty-source:v1"));

        Assert.That(mounted, Is.False);
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
