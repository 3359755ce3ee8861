using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Kmm.Preflight.Oci.References;

/// <summary>
/// A content digest (<c>algorithm:hex</c>), validated on construction so it is safe to put in URLs and paths.
/// </summary>
/// <remarks>Only <c>sha256</c> (64 lowercase hex) and <c>sha512</c> (128 lowercase hex) are accepted.</remarks>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary>The algorithm, e.g. <c>sha256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The encoded hash, lowercase hex.</summary>
    public string Hex { get; }

    /// <summary>Parses a digest string.</summary>
    /// <exception cref="FormatException">The string is not a valid sha256/sha512 digest.</exception>
    public static Digest Parse(string value)
    {
        if (!TryParse(value, out var digest))
        {
            throw new FormatException($"'{value}' is not a valid digest: expected 'sha256:' followed by 64 lowercase hex characters.");
        }

        return digest;
    }

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Tries to parse a digest string.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest)
    {
        digest = default;
        if (value is null)
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        // Checked on the span, with the shared algorithm names: TOCs and manifests parse thousands of these.
        var algorithm = value.AsSpan(0, colon) switch
        {
            "sha256" => "sha256",
            "sha512" => "sha512",
            _ => null,
        };
        var hexSpan = value.AsSpan(colon + 1);
        if (algorithm is null || hexSpan.Length != (algorithm == "sha256" ? 64 : 128) || hexSpan.ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        var hex = hexSpan.ToString();
        digest = new Digest(algorithm, hex);
        return true;
    }

    /// <summary>The SHA-256 digest of <paramref name="content"/>.</summary>
    public static Digest Sha256(ReadOnlySpan<byte> content) => FromSha256Hash(SHA256.HashData(content));

    /// <summary>Builds a digest from a raw 32-byte SHA-256 hash.</summary>
    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    /// <summary>Whether this is the default (unset) value.</summary>
    public bool IsEmpty => Algorithm is null;

    /// <inheritdoc />
    public override string ToString() => IsEmpty ? string.Empty : $"{Algorithm}:{Hex}";
}
