using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>What went wrong, as one line a person can act on, and the exit code for it.</summary>
/// <param name="Message">One line naming the problem (no stack trace, no secrets).</param>
/// <param name="ExitCode">The process exit code.</param>
internal sealed record FailureDescription(string Message, int ExitCode)
{
    /// <summary>Describes <paramref name="exception"/>; the innermost cause that names the problem wins.</summary>
    public static FailureDescription Describe(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return new("cancelled.", ExitCodes.Cancelled);
        }

        return exception switch
        {
            OperationCanceledException or TimeoutException => new($"timed out: {OneLine(exception)}", ExitCodes.Failure),
            ImageNotFoundException => new($"not found: {OneLine(exception)}", ExitCodes.Failure),
            FileNotFoundException or DirectoryNotFoundException => new($"not found: {OneLine(exception)}", ExitCodes.Failure),
            SymlinkLoopException => new(OneLine(exception), ExitCodes.Failure),
            FormatException => new($"invalid input: {OneLine(exception)}", ExitCodes.UsageError),
            ModuleSigningKeyException => new($"unusable key or certificate: {OneLine(exception)}", ExitCodes.UsageError),
            ArgumentException => new($"invalid input: {OneLine(exception)}", ExitCodes.UsageError),
            UnauthorizedAccessException => new($"unauthorized: {OneLine(exception)}", ExitCodes.Failure),
            HttpRequestException or RegistryException => DescribeRegistry(exception),
            AuthenticationException => new($"TLS: {OneLine(exception)}", ExitCodes.Failure),
            SocketException => new($"unreachable: {OneLine(exception)}", ExitCodes.Failure),
            InvalidDataException => new($"invalid data: {OneLine(exception)}", ExitCodes.Failure),
            _ when exception.InnerException is { } inner && exception is AggregateException => Describe(inner, cancellationToken),
            _ => new(OneLine(exception), ExitCodes.Failure),
        };
    }

    /// <summary>The exception's message on one line.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return string.Join(' ', exception.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // The Oci library says what kind of failure it was; this adds what to do in terms of the command line.
    private static FailureDescription DescribeRegistry(Exception exception)
    {
        var failure = RegistryFailure.Of(exception);
        var message = OneLine(exception);
        var cause = failure.Cause is { } inner ? $" ({OneLine(inner)})" : "";
        var text = failure.Kind switch
        {
            RegistryFailureKind.Tls => $"TLS: {message}{cause}; trust the registry's CA with --ca-file, or use --insecure-registry for plain HTTP.",
            RegistryFailureKind.Unreachable => $"unreachable: {message}{cause}",
            RegistryFailureKind.Timeout => $"timed out: {message}",
            RegistryFailureKind.Unauthorized => $"unauthorized: {message}; check the credentials in --auth-file (or the discovered docker/podman auth files).",
            RegistryFailureKind.NotFound => $"not found: {message}",
            _ when exception is RegistryException => $"registry error: {message}",
            _ => message,
        };
        return new(text, ExitCodes.Failure);
    }
}
