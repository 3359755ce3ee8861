using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// Passes a blob through while <see cref="DigestVerifier"/> checks it, in the caller's buffer (no copy, no second
/// pass): at the end of the inner stream the size and digest are checked, so a corrupt blob read to its end always
/// fails; a read past the stated size fails at once. Every source's blobs are read through it.
/// </summary>
internal sealed class DigestVerifyingStream : ForwardReadStream
{
    private readonly DigestVerifier _verifier;
    private readonly long _expectedSize;

    /// <summary>Wraps <paramref name="inner"/> (owned), which starts at <paramref name="offset"/> of the blob; the digest is checked only from offset 0.</summary>
    public DigestVerifyingStream(Stream inner, Digest expected, long expectedSize, string blobName, long offset = 0)
        : base(inner)
    {
        _expectedSize = expectedSize;
        _verifier = new DigestVerifier(expected, expectedSize, blobName, offset);
    }

    public override long Length => _expectedSize >= 0 ? _expectedSize : throw new NotSupportedException();

    protected override long BytesRead => _verifier.Position;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = Inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read is a readiness probe, not end of stream: it must not trigger verification.
        if (buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        var pending = Inner.ReadAsync(buffer, cancellationToken);
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(Account(buffer.Span[..pending.Result])) : AccountAsync(pending, buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _verifier.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _verifier.Dispose();
        await base.DisposeAsync();
    }

    private async ValueTask<int> AccountAsync(ValueTask<int> pending, Memory<byte> buffer)
    {
        var n = await pending.ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _verifier.Complete();
        }
        else
        {
            _verifier.Append(data);
        }

        return data.Length;
    }
}
