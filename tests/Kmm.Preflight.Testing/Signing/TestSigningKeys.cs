using System.Collections.Concurrent;

namespace Kmm.Preflight.Testing.Signing;

/// <summary>
/// Keys the tests make with OpenSSL, once per test process (RSA 4096 takes a while), in a temporary directory that
/// is removed when the process exits.
/// </summary>
public static class TestSigningKeys
{
    private static readonly ConcurrentDictionary<string, Lazy<TestSigningKey>> Made = new();
    private static readonly Lazy<string> Directory = new(CreateDirectory);

    /// <summary>RSA 2048, the kernel build's default.</summary>
    public static TestSigningKey Rsa2048 => Get("rsa2048", "rsa:2048", "Kmm test RSA 2048");

    /// <summary>RSA 4096.</summary>
    public static TestSigningKey Rsa4096 => Get("rsa4096", "rsa:4096", "Kmm test RSA 4096");

    /// <summary>ECDSA on P-256.</summary>
    public static TestSigningKey EcP256 => Get("ecp256", "ec", "Kmm test ECDSA P-256", "-pkeyopt", "ec_paramgen_curve:prime256v1");

    /// <summary>ECDSA on P-384.</summary>
    public static TestSigningKey EcP384 => Get("ecp384", "ec", "Kmm test ECDSA P-384", "-pkeyopt", "ec_paramgen_curve:secp384r1");

    /// <summary>Another RSA 2048 key with its own name: a signer the others do not expect.</summary>
    public static TestSigningKey Foreign => Get("foreign", "rsa:2048", "Kmm foreign signer");

    /// <summary>
    /// A key of its own with <paramref name="subject"/> and serial <paramref name="serial"/>: two of these with the
    /// same subject and serial name the same signer with different keys.
    /// </summary>
    public static TestSigningKey WithSerial(string name, string subject, int serial) =>
        Get(name, "rsa:2048", subject, "-set_serial", serial.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static TestSigningKey Get(string name, string newKey, string subject, params string[] extra) =>
        Made.GetOrAdd(name, _ => new Lazy<TestSigningKey>(() => Make(name, newKey, subject, extra))).Value;

    private static TestSigningKey Make(string name, string newKey, string subject, string[] extra)
    {
        var key = Path.Combine(Directory.Value, name + ".key.pem");
        var cert = Path.Combine(Directory.Value, name + ".crt.pem");
        SigningTools.Run("openssl", ["req", "-x509", "-newkey", newKey, .. extra, "-nodes", "-keyout", key, "-out", cert, "-days", "3650", "-subj", "/CN=" + subject + "/O=Kmm.Preflight tests"]);
        return new TestSigningKey(name, key, cert, subject);
    }

    private static string CreateDirectory()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("kmm-signing-keys-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return directory;
    }
}
