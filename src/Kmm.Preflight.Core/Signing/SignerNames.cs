using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>A signer's name and key id spelled as kmod's <c>modinfo</c> prints them (<c>signer</c>, <c>sig_key</c>).</summary>
internal static class SignerNames
{
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>The common name of the DER Name <paramref name="name"/>, else its whole distinguished name.</summary>
    /// <exception cref="InvalidDataException">The name is not valid DER (e.g. invalid UTF-8 in a string, trailing bytes).</exception>
    public static string CommonName(ReadOnlySpan<byte> name)
    {
        // X500DistinguishedName parses lazily and throws CryptographicException on a corrupt name: an afl++ finding
        // (an altered issuer inside a module's PKCS#7 escaped ModuleSignatureReader.Read), so it becomes bad input here.
        try
        {
            var distinguished = new X500DistinguishedName(name);
            foreach (var rdn in distinguished.EnumerateRelativeDistinguishedNames())
            {
                if (rdn.GetSingleElementType().Value == CommonNameOid)
                {
                    return rdn.GetSingleElementValue() ?? distinguished.Name;
                }
            }

            return distinguished.Name;
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"the signer's issuer name is not a valid X.500 name: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A serial number's INTEGER content as modinfo's <c>sig_key</c>: the magnitude without the sign byte DER adds
    /// before a high bit (kmod prints OpenSSL's <c>BN_bn2bin</c>), colon-separated upper-case hex.
    /// </summary>
    public static string SerialKeyId(ReadOnlySpan<byte> serial)
    {
        while (serial.Length > 1 && serial[0] == 0)
        {
            serial = serial[1..];
        }

        return ColonHex(serial);
    }

    /// <summary><paramref name="bytes"/> as colon-separated upper-case hex.</summary>
    public static string ColonHex(ReadOnlySpan<byte> bytes)
    {
        var parts = new string[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            parts[i] = bytes[i].ToString("X2", CultureInfo.InvariantCulture);
        }

        return string.Join(':', parts);
    }
}
