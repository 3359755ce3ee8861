using System.Net.Sockets;
using System.Security.Authentication;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>Turns connection, TLS and timeout failures into <see cref="RegistryException"/>s that say what to do.</summary>
internal static class TransportErrors
{
    /// <summary>
    /// The exception for <paramref name="exception"/> thrown while talking to <paramref name="target"/> (whose
    /// connections time out after <paramref name="connectTimeout"/>); null when it should propagate as is.
    /// </summary>
    public static RegistryException? Translate(Exception exception, Uri target, string operation, TlsPolicy tls, TimeSpan connectTimeout)
    {
        var authority = target.Authority;
        var host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']', StringComparison.Ordinal) + 1)] : authority.Split(':')[0];
        switch (exception)
        {
            case TimeoutRejectedException timeout:
                return new RegistryException($"{operation}: {authority} did not answer within {Seconds(timeout.Timeout)} s (waiting for the response).", RegistryFailureKind.Timeout, authority, timeout);
            case OperationCanceledException { InnerException: TimeoutException }:
                // SocketsHttpHandler's ConnectTimeout: it covers the TLS handshake too, so a host that accepts and stays silent lands here.
                var phase = target.Scheme == Uri.UriSchemeHttps ? "TCP connect and TLS handshake" : "TCP connect";
                return new RegistryException($"{operation}: could not connect to {authority} within {Seconds(connectTimeout)} s ({phase}).", RegistryFailureKind.Timeout, authority, exception);
            case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or AuthenticationException:
                var reason = tls.FailureFor(host.Trim('[', ']'));
                return reason is not null
                    ? new RegistryException($"{operation}: TLS certificate of {authority} is not trusted: {reason} (use --ca-file or registryTLS.insecureSkipTLSVerify).", RegistryFailureKind.Tls, authority, exception)
                    : new RegistryException($"{operation}: TLS handshake with {authority} failed: {Innermost(exception).Message} (if it serves plain HTTP, configure registryTLS.insecure).", RegistryFailureKind.Tls, authority, exception);
            case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }:
                return new RegistryException($"{operation}: cannot resolve host {host}.", RegistryFailureKind.Unreachable, authority, exception);
            case HttpRequestException or IOException:
                var socket = TransientFailure.FindSocketError(exception);
                var what = socket switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostUnreachable => "host unreachable",
                    SocketError.NetworkUnreachable => "network unreachable",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.ConnectionReset => "connection reset",
                    _ => Innermost(exception).Message,
                };
                return new RegistryException($"{operation}: cannot connect to {authority}: {what}.", RegistryFailureKind.Unreachable, authority, exception);
            default:
                return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="failure"/> means the host does not speak TLS (handshake failed or garbled), the only
    /// failure after which a loopback registry is retried in plain HTTP; timeouts, refusals and DNS errors are not.
    /// </summary>
    public static bool IsTlsFailure(RegistryException failure) => failure.Failure.Kind == RegistryFailureKind.Tls;

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
