using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Opens an RSA PKCS#1 v1.5 signature with a public key to read the digest it signs. Only to explain a failed
/// verification: a well-formed DigestInfo means the key is right and the content changed; garbage means another key.
/// </summary>
internal static class RsaDigestRecovery
{
    /// <summary>The digest inside <paramref name="signature"/>, or null when the key did not make it.</summary>
    public static byte[]? Recover(RSA publicKey, ReadOnlySpan<byte> signature)
    {
        var parameters = publicKey.ExportParameters(false);
        var modulus = new BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        var value = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (value >= modulus)
        {
            return null;
        }

        var length = parameters.Modulus!.Length;
        var opened = BigInteger.ModPow(value, new BigInteger(parameters.Exponent, isUnsigned: true, isBigEndian: true), modulus)
            .ToByteArray(isUnsigned: true, isBigEndian: true);
        if (opened.Length > length)
        {
            return null;
        }

        // EMSA-PKCS1-v1_5: 00 01 FF…FF 00 DigestInfo (the leading 00 is lost in the integer).
        var block = new byte[length];
        opened.CopyTo(block, length - opened.Length);
        if (block[0] != 0 || block[1] != 1)
        {
            return null;
        }

        var separator = block.AsSpan(2).IndexOfAnyExcept((byte)0xFF);
        if (separator < 8 || block[2 + separator] != 0)
        {
            return null;
        }

        try
        {
            var digestInfo = new AsnReader(block.AsMemory(3 + separator), AsnEncodingRules.DER).ReadSequence();
            digestInfo.ReadSequence();
            return digestInfo.ReadOctetString();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
