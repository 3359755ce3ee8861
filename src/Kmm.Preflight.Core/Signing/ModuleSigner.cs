using System.Security.Cryptography;
using Kmm.Preflight.Core.Modules;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Signs kernel modules as the kernel's <c>scripts/sign-file</c> does, without it: a detached CMS SignedData over the
/// module, the 12-byte trailer and the marker <c>~Module signature appended~\n</c>. RSA signatures are byte for byte
/// what sign-file writes with the same key and certificate; ECDSA ones differ only in the (random) signature value.
/// Any signature the module already carries is stripped first.
/// </summary>
public static partial class ModuleSigner
{
    /// <summary>Signs the uncompressed <paramref name="module"/> with SHA-256.</summary>
    /// <returns>The module without its old signature, then the new signature, trailer and marker.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidDataException">The module carries a signature marker whose trailer is corrupt, so where it ends is unknown.</exception>
    public static byte[] Sign(ReadOnlySpan<byte> module, ModuleSigningKey key) => Sign(module, key, ModuleSigningOptions.Default);

    /// <summary>Signs the uncompressed <paramref name="module"/> as <paramref name="options"/> say.</summary>
    /// <returns>The module without its old signature, then the new signature, trailer and marker.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options name an unknown hash algorithm.</exception>
    /// <exception cref="InvalidDataException">The module carries a signature marker whose trailer is corrupt, so where it ends is unknown.</exception>
    public static byte[] Sign(ReadOnlySpan<byte> module, ModuleSigningKey key, ModuleSigningOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        var content = module[..ModuleSignatureTrailer.UnsignedLength(module)];
        var signature = CreateSignature(content, key, options.HashAlgorithm);
        var signed = new byte[content.Length + signature.Length + ModuleSignatureTrailer.SuffixLength];
        content.CopyTo(signed);
        signature.CopyTo(signed.AsSpan(content.Length));
        ModuleSignatureTrailer.WritePkcs7(signed.AsSpan(content.Length + signature.Length), signature.Length);
        return signed;
    }

    /// <summary>
    /// Signs a module file's bytes, compressed or not: <c>xz</c>, <c>zstd</c> and <c>gzip</c> modules (recognised by
    /// their magic bytes) are decompressed, signed, and compressed again in the same format, since the kernel checks
    /// the signature of the decompressed module.
    /// </summary>
    /// <returns>The signed module, compressed as <paramref name="moduleFile"/> was.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options name an unknown hash algorithm.</exception>
    /// <exception cref="InvalidDataException">The compressed data is corrupt, or an old signature's trailer is.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<byte[]> SignAsync(byte[] moduleFile, ModuleSigningKey key, ModuleSigningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(moduleFile);
        ArgumentNullException.ThrowIfNull(key);
        var format = ModuleCompression.Detect(moduleFile);
        var module = await ModuleCompression.DecompressAsync(moduleFile, cancellationToken);
        var signed = Sign(module, key, options ?? ModuleSigningOptions.Default);
        return format is null ? signed : ModuleCompression.Compress(signed, format, cancellationToken);
    }

    private static byte[] CreateSignature(ReadOnlySpan<byte> content, ModuleSigningKey key, ModuleHashAlgorithm hash)
    {
        var hashName = SignatureAlgorithms.HashName(hash);
        var digest = hashName.Name switch
        {
            "SHA384" => SHA384.HashData(content),
            "SHA512" => SHA512.HashData(content),
            _ => SHA256.HashData(content),
        };

        var digestOid = SignatureAlgorithms.DigestOid(hash);
        return key.PrivateKey switch
        {
            // OpenSSL's CMS writes rsaEncryption with NULL parameters whatever the digest, never sha256WithRSAEncryption.
            RSA rsa => SignedDataWriter.Write(digestOid, SignatureAlgorithms.RsaEncryption, nullParameters: true, key.Identity, rsa.SignHash(digest, hashName, RSASignaturePadding.Pkcs1)),
            ECDsa ecdsa => SignedDataWriter.Write(digestOid, SignatureAlgorithms.EcdsaOid(hash), nullParameters: false, key.Identity, ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence)),
            _ => throw new InvalidOperationException($"unexpected key type {key.PrivateKey.GetType().Name}"),
        };
    }
}
