using System.Net;
using System.Net.Sockets;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Which token realms are acceptable and when credentials may go to them: https unless the registry itself is
/// plain HTTP; no credentials to a loopback, private or link-local realm unless it is the registry's own host.
/// </summary>
internal static class RealmPolicy
{
    /// <summary>Validates the realm of a challenge from <paramref name="registryUri"/>.</summary>
    /// <exception cref="RegistryException">The realm is missing, not absolute, or plain HTTP for an HTTPS registry.</exception>
    public static Uri Validate(string? realm, Uri registryUri)
    {
        ArgumentNullException.ThrowIfNull(registryUri);
        if (string.IsNullOrEmpty(realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryException($"registry {registryUri.Authority} sent a Bearer challenge with an invalid token realm '{realm}'.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && registryUri.Scheme != Uri.UriSchemeHttp)
        {
            throw new RegistryException($"registry {registryUri.Authority} names a plain-HTTP token realm {uri.GetLeftPart(UriPartial.Path)}; refusing to send credentials without TLS (only registries configured insecure may use one).");
        }

        return uri;
    }

    /// <summary>Whether credentials may be sent to <paramref name="realm"/> for the registry at <paramref name="registryUri"/>.</summary>
    public static bool MaySendCredentials(Uri realm, Uri registryUri)
    {
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(registryUri);
        if (string.Equals(realm.IdnHost, registryUri.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return !IsInternal(realm.IdnHost);
    }

    /// <summary>Whether <paramref name="host"/> is <c>localhost</c> or a loopback, private or link-local IP literal.</summary>
    public static bool IsInternal(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        }

        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }

    /// <summary>Whether <paramref name="host"/> (without port) is loopback: <c>localhost</c>, 127.0.0.0/8 or ::1.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
