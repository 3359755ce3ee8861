using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Oci.Sources;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// What a failure to reach a registry or open an image means: its kind, the host when known, a hint on what to do
/// and the low-level cause that decided it. This is the one place that walks inner exceptions to find out; read it
/// from <see cref="RegistryException.Failure"/>, or from <see cref="Of"/> for any other exception.
/// </summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="Host">The registry host (with port), or null when not known.</param>
/// <param name="Hint">What to do about it, in terms of the library's settings; null when there is nothing to say.</param>
/// <param name="Cause">The inner exception that decided the kind (a TLS or socket error), or null when the failure itself did.</param>
public sealed record RegistryFailure(RegistryFailureKind Kind, string? Host, string? Hint, Exception? Cause)
{
    /// <summary>Classifies <paramref name="exception"/>: a <see cref="RegistryException"/> says what it knows, anything else is inspected.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static RegistryFailure Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is RegistryException registry ? registry.Failure : Classify(exception, kind: null, host: null);
    }

    /// <summary>The hint for <paramref name="kind"/>.</summary>
    internal static string? HintFor(RegistryFailureKind kind) => kind switch
    {
        RegistryFailureKind.NotFound => "check the repository, tag or digest",
        RegistryFailureKind.Unauthorized => "check the credentials (auth file, pull secret) for this registry",
        RegistryFailureKind.Tls => "trust the registry's CA certificate, or configure the registry as plain HTTP if it serves no TLS",
        RegistryFailureKind.Unreachable => "check the registry address and the network",
        RegistryFailureKind.Timeout => "the registry or the network is slow; try again or allow more time",
        _ => null,
    };

    /// <summary>The failure for <paramref name="exception"/>; <paramref name="kind"/> when its thrower knew it.</summary>
    internal static RegistryFailure Classify(Exception exception, RegistryFailureKind? kind, string? host)
    {
        var (found, cause) = FindCause(exception.InnerException);
        var decided = kind ?? exception switch
        {
            RegistryUnauthorizedException => RegistryFailureKind.Unauthorized,
            RegistryNotFoundException or ImageNotFoundException => RegistryFailureKind.NotFound,
            RegistryException { StatusCode: { } status } => FromStatus(status),
            HttpRequestException { StatusCode: { } status } => FromStatus(status),
            FormatException or InvalidDataException => RegistryFailureKind.Invalid,
            TimeoutException or TimeoutRejectedException or OperationCanceledException => RegistryFailureKind.Timeout,
            AuthenticationException or HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => RegistryFailureKind.Tls,
            SocketException => RegistryFailureKind.Unreachable,
            _ => found ?? RegistryFailureKind.Unreachable,
        };

        return new RegistryFailure(decided, host, HintFor(decided), decided == found ? cause : null);
    }

    private static RegistryFailureKind FromStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => RegistryFailureKind.Unauthorized,
        HttpStatusCode.NotFound => RegistryFailureKind.NotFound,
        _ => RegistryFailureKind.Error,
    };

    // The first inner exception that says why no answer came: TLS, the socket, or the clock.
    private static (RegistryFailureKind? Kind, Exception? Cause) FindCause(Exception? inner)
    {
        for (var e = inner; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationException:
                    return (RegistryFailureKind.Tls, e);
                case SocketException:
                    return (RegistryFailureKind.Unreachable, e);
                case TimeoutException or TaskCanceledException or TimeoutRejectedException:
                    return (RegistryFailureKind.Timeout, e);
            }
        }

        return (null, null);
    }
}
