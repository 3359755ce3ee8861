using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// Verifies server certificates: the system trust store, plus extra CA files (custom root trust), or nothing for
/// a registry configured to skip verification. Remembers why a host failed, for a clear error message.
/// </summary>
internal sealed class TlsPolicy : IDisposable
{
    private readonly X509Certificate2Collection _extraRoots = [];
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads the PEM CA files.</summary>
    /// <exception cref="ArgumentException">A CA file is missing or holds no certificate.</exception>
    public TlsPolicy(IReadOnlyList<string> caFiles)
    {
        foreach (var file in caFiles)
        {
            if (!File.Exists(file))
            {
                throw new ArgumentException($"CA file '{file}' does not exist.", nameof(caFiles));
            }

            var before = _extraRoots.Count;
            try
            {
                _extraRoots.ImportFromPemFile(file);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new ArgumentException($"CA file '{file}' is not a PEM certificate file: {e.Message}", nameof(caFiles), e);
            }

            if (_extraRoots.Count == before)
            {
                throw new ArgumentException($"CA file '{file}' holds no PEM certificate.", nameof(caFiles));
            }
        }
    }

    /// <summary>Why the last handshake with <paramref name="host"/> was refused, or null.</summary>
    public string? FailureFor(string host) => _failures.GetValueOrDefault(host);

    /// <summary>The validation callback for connections made for a registry on <paramref name="registryHost"/>.</summary>
    public RemoteCertificateValidationCallback CreateCallback(string registryHost, bool skipVerify) =>
        (sender, certificate, chain, errors) => Validate((sender as SslStream)?.TargetHostName is { Length: > 0 } target ? target : registryHost, registryHost, skipVerify, certificate, chain, errors);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var certificate in _extraRoots)
        {
            certificate.Dispose();
        }
    }

    private bool Validate(string host, string registryHost, bool skipVerify, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // Skip-verify is the registry's own setting: it does not extend to redirect targets on other hosts.
        if (skipVerify && string.Equals(host, registryHost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (errors == SslPolicyErrors.None)
        {
            _failures.TryRemove(host, out _);
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Fail(host, "the server sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Fail(host, $"it is issued to '{certificate.Subject}', not to {host}");
        }

        if (_extraRoots.Count > 0)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = new X509Certificate2(certificate);
            if (custom.Build(leaf))
            {
                _failures.TryRemove(host, out _);
                return true;
            }

            return Fail(host, Describe(custom, certificate));
        }

        return Fail(host, chain is null ? errors.ToString() : Describe(chain, certificate));
    }

    private bool Fail(string host, string reason)
    {
        _failures[host] = reason;
        return false;
    }

    private static string Describe(X509Chain chain, X509Certificate certificate)
    {
        var statuses = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct().ToList();
        var why = statuses.Count > 0 ? string.Join("; ", statuses) : "its chain does not lead to a trusted root";
        return $"issuer '{certificate.Issuer}': {why}";
    }
}
