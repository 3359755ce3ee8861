using System.Security.Cryptography;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// The one check of a blob against its descriptor: the size (a blob larger than stated fails at the first byte too
/// many, so nothing reads without bound) and the digest (<c>sha256</c> or <c>sha512</c>). Fed incrementally by
/// <see cref="DigestVerifyingStream"/>, or given a whole blob through <see cref="Verify"/>.
/// </summary>
internal sealed class DigestVerifier : IDisposable
{
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _blobName;
    private readonly IncrementalHash? _hash;
    private bool _completed;

    /// <summary>Checks a blob read from <paramref name="offset"/>: the size always, the digest only when it is read from 0.</summary>
    /// <param name="expected">The digest the blob must have.</param>
    /// <param name="expectedSize">The size its descriptor states; negative when unknown (then only the digest is checked).</param>
    /// <param name="blobName">Names the blob in error messages.</param>
    /// <param name="offset">Where reading starts.</param>
    public DigestVerifier(Digest expected, long expectedSize, string blobName, long offset = 0)
    {
        _expected = expected;
        _expectedSize = expectedSize;
        _blobName = blobName;
        Position = offset;
        _hash = offset == 0 ? IncrementalHash.CreateHash(HashAlgorithm(expected.Algorithm)) : null;
    }

    /// <summary>The offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>Hashes <paramref name="data"/>, the next bytes of the blob.</summary>
    /// <exception cref="InvalidDataException">The blob is now larger than its descriptor states.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        Position += data.Length;
        if (_expectedSize >= 0 && Position > _expectedSize)
        {
            throw new InvalidDataException($"{_blobName}: blob {_expected} is larger than the {_expectedSize} bytes its descriptor states.");
        }

        _hash?.AppendData(data);
    }

    /// <summary>The blob ended: checks the size and (when read from 0) the digest; later calls do nothing.</summary>
    /// <exception cref="InvalidDataException">The size or digest differs from the descriptor's.</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_expectedSize >= 0 && Position != _expectedSize)
        {
            throw new InvalidDataException($"{_blobName}: blob {_expected} ended after {Position} bytes, but its descriptor states {_expectedSize}.");
        }

        if (_hash is not null)
        {
            Check(_expected, Convert.ToHexStringLower(_hash.GetHashAndReset()), _blobName);
        }
    }

    /// <summary>Checks a whole blob held in memory against <paramref name="descriptor"/>.</summary>
    /// <exception cref="InvalidDataException">The size or digest differs from the descriptor's.</exception>
    public static void Verify(ReadOnlySpan<byte> content, Descriptor descriptor, string blobName)
    {
        if (content.Length != descriptor.Size)
        {
            throw new InvalidDataException($"{blobName}: blob {descriptor.Digest} ended after {content.Length} bytes, but its descriptor states {descriptor.Size}.");
        }

        Check(descriptor.Digest, Compute(descriptor.Digest.Algorithm, content).Hex, blobName);
    }

    /// <summary>The digest of <paramref name="content"/> with <paramref name="algorithm"/> (<c>sha256</c> or <c>sha512</c>).</summary>
    public static Digest Compute(string algorithm, ReadOnlySpan<byte> content) => algorithm == "sha512"
        ? Digest.Parse("sha512:" + Convert.ToHexStringLower(SHA512.HashData(content)))
        : Digest.Sha256(content);

    /// <summary>Throws when a descriptor states more bytes than a small blob read whole may have.</summary>
    /// <exception cref="InvalidDataException">The descriptor states more than <paramref name="maxBytes"/>.</exception>
    public static void CheckSize(Descriptor descriptor, int maxBytes, string blobName)
    {
        if (descriptor.Size > maxBytes)
        {
            throw new InvalidDataException($"{blobName}: blob {descriptor.Digest} is {descriptor.Size} bytes, more than the {maxBytes}-byte limit for manifests and configs.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _hash?.Dispose();

    private static HashAlgorithmName HashAlgorithm(string algorithm) => algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    private static void Check(Digest expected, string actualHex, string blobName)
    {
        if (actualHex != expected.Hex)
        {
            throw new InvalidDataException($"{blobName}: blob content does not match its digest: expected {expected}, got {expected.Algorithm}:{actualHex}.");
        }
    }
}
