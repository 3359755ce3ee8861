using System.Net;
using System.Net.Sockets;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>Which outcomes are worth another attempt.</summary>
internal static class TransientFailure
{
    /// <summary>408, 429 and 5xx other than 501/505.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not HttpStatusCode.NotImplemented and not HttpStatusCode.HttpVersionNotSupported);

    /// <summary>Dropped connections and attempt timeouts; not refused connections, name or TLS failures.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError } => false,
        HttpRequestException h when FindSocketError(h) is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable => false,
        HttpRequestException => true,
        IOException => true,
        _ => false,
    };

    /// <summary>The socket error under <paramref name="exception"/>, if any.</summary>
    public static SocketError? FindSocketError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }
}
