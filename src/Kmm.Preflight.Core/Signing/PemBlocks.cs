using System.Security.Cryptography;
using System.Text;

namespace Kmm.Preflight.Core.Signing;

/// <summary>The PEM blocks of a key or certificate file, or null when the bytes are not PEM (then they are DER).</summary>
internal static class PemBlocks
{
    /// <summary>The (label, DER) pairs in <paramref name="data"/>, or null when it holds no <c>-----BEGIN</c> line.</summary>
    /// <exception cref="ModuleSigningKeyException">A block is not valid base64, or the key is an encrypted legacy PEM.</exception>
    public static IReadOnlyList<(string Label, byte[] Der)>? Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.IndexOf("-----BEGIN "u8) < 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(data);
        // PemEncoding (RFC 7468) skips blocks with headers, so an OpenSSL-encrypted legacy key would read as "no key".
        if (text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new ModuleSigningKeyException($"{source} is an encrypted private key; the kernel's sign-file needs a passphrase for it and so would we: decrypt it first (openssl pkey -in KEY -out PLAIN)");
        }

        var blocks = new List<(string, byte[])>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written))
            {
                throw new ModuleSigningKeyException($"{source}: the PEM block {label} is not valid base64");
            }

            blocks.Add((label, der[..written]));
            rest = rest[fields.Location.End..];
        }

        return blocks;
    }

    /// <summary>The labels of <paramref name="blocks"/>, for an error message.</summary>
    public static string Labels(IReadOnlyList<(string Label, byte[] Der)> blocks) =>
        blocks.Count == 0 ? "no complete PEM block" : "PEM blocks " + string.Join(", ", blocks.Select(b => b.Label));
}
