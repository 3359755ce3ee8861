using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Oci.FileSystem;
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
            HttpRequestException http => DescribeHttp(http),
            AuthenticationException => new($"TLS: {OneLine(exception)}", ExitCodes.Failure),
            SocketException => new($"unreachable: {OneLine(exception)}", ExitCodes.Failure),
            InvalidDataException => new($"invalid data: {OneLine(exception)}", ExitCodes.Failure),
            NotImplementedException => new($"not available yet in this build: {OneLine(exception)}", ExitCodes.Failure),
            _ when exception.InnerException is { } inner && exception is AggregateException => Describe(inner, cancellationToken),
            _ when RegistryFailure.TryDescribe(exception) is { } registry => registry,
            _ => new(OneLine(exception), ExitCodes.Failure),
        };
    }

    /// <summary>The exception's message on one line.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return string.Join(' ', exception.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static FailureDescription DescribeHttp(HttpRequestException http)
    {
        for (Exception? cause = http.InnerException; cause is not null; cause = cause.InnerException)
        {
            if (cause is AuthenticationException)
            {
                return new($"TLS: {OneLine(http)} ({OneLine(cause)}); trust the registry's CA with --ca-file, or use --insecure-registry for plain HTTP.", ExitCodes.Failure);
            }

            if (cause is SocketException)
            {
                return new($"unreachable: {OneLine(http)} ({OneLine(cause)})", ExitCodes.Failure);
            }
        }

        return http.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new($"unauthorized: {OneLine(http)}; give credentials with --auth-file.", ExitCodes.Failure),
            HttpStatusCode.NotFound => new($"not found: {OneLine(http)}", ExitCodes.Failure),
            null => new($"unreachable: {OneLine(http)}", ExitCodes.Failure),
            _ => new(OneLine(http), ExitCodes.Failure),
        };
    }
}
