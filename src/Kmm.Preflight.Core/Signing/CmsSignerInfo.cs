namespace Kmm.Preflight.Core.Signing;

/// <summary>The parts of a module signature's first SignerInfo that identify the signer and carry the signature.</summary>
/// <param name="DigestAlgorithm">The digest algorithm OID.</param>
/// <param name="SignatureAlgorithm">The signature algorithm OID.</param>
/// <param name="Issuer">The signer certificate's issuer, DER Name; empty when the signer is named by key identifier.</param>
/// <param name="SerialNumber">The signer certificate's serial, the INTEGER's big-endian content bytes; empty with a key identifier.</param>
/// <param name="SubjectKeyIdentifier">The signer's subject key identifier; empty when named by issuer and serial.</param>
/// <param name="SignedAttributes">The signed attributes as DER (SET tag), empty when there are none (sign-file's default).</param>
/// <param name="Signature">The signature value.</param>
internal sealed record CmsSignerInfo(
    string DigestAlgorithm,
    string SignatureAlgorithm,
    ReadOnlyMemory<byte> Issuer,
    ReadOnlyMemory<byte> SerialNumber,
    ReadOnlyMemory<byte> SubjectKeyIdentifier,
    ReadOnlyMemory<byte> SignedAttributes,
    ReadOnlyMemory<byte> Signature);
