using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Describes the registry client's typed errors: what the registry said, or why it said nothing.</summary>
internal static class RegistryFailure
{
    /// <summary>A description of <paramref name="exception"/> when it is a registry error, else null.</summary>
    public static FailureDescription? TryDescribe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not RegistryException registry)
        {
            return null;
        }

        var message = FailureDescription.OneLine(registry);
        return registry switch
        {
            RegistryUnauthorizedException => new($"unauthorized: {message}; check the credentials in --auth-file (or the discovered docker/podman auth files).", ExitCodes.Failure),
            RegistryNotFoundException => new($"not found: {message}", ExitCodes.Failure),
            { StatusCode: null } => DescribeNoResponse(registry, message),
            _ => new($"registry error: {message}", ExitCodes.Failure),
        };
    }

    // No HTTP status: the cause says whether TLS, the connection or the clock failed.
    private static FailureDescription DescribeNoResponse(RegistryException registry, string message)
    {
        for (Exception? cause = registry.InnerException; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case AuthenticationException:
                    return new($"TLS: {message} ({FailureDescription.OneLine(cause)}); trust the registry's CA with --ca-file, or use --insecure-registry for plain HTTP.", ExitCodes.Failure);
                case SocketException:
                    return new($"unreachable: {message} ({FailureDescription.OneLine(cause)})", ExitCodes.Failure);
                case TimeoutException or TaskCanceledException:
                    return new($"timed out: {message}", ExitCodes.Failure);
            }
        }

        return new($"unreachable: {message}", ExitCodes.Failure);
    }
}
