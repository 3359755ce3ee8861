using System.Security.Cryptography;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Streams;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>
/// Passes a blob through while hashing it; at the end of the inner stream checks the byte count and digest, so a
/// corrupt blob read to its end always fails. Reads past the stated size fail at once (no unbounded reads).
/// </summary>
internal sealed class DigestVerifyingStream : ForwardReadStream
{
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _blobName;
    private readonly IncrementalHash _hash;
    private long _read;
    private bool _verified;

    public DigestVerifyingStream(Stream inner, Digest expected, long expectedSize, string blobName)
        : base(inner)
    {
        _expected = expected;
        _expectedSize = expectedSize;
        _blobName = blobName;
        _hash = IncrementalHash.CreateHash(expected.Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
    }

    public override long Length => _expectedSize;

    protected override long BytesRead => _read;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = Inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read is a readiness probe, not end of stream: it must not trigger verification.
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = await Inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..n]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await base.DisposeAsync();
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        _read += data.Length;
        if (_read > _expectedSize)
        {
            throw new InvalidDataException($"{_blobName}: blob {_expected} is larger than the {_expectedSize} bytes its descriptor states.");
        }

        _hash.AppendData(data);
        if (data.Length == 0 && !_verified)
        {
            _verified = true;
            if (_read != _expectedSize)
            {
                throw new InvalidDataException($"{_blobName}: blob {_expected} has {_read} bytes, but its descriptor states {_expectedSize}.");
            }

            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (actual != _expected.Hex)
            {
                throw new InvalidDataException($"{_blobName}: blob content does not match its digest: expected {_expected}, got {_expected.Algorithm}:{actual}.");
            }
        }

        return data.Length;
    }
}
