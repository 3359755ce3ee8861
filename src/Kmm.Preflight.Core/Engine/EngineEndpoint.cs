using System.Net.Sockets;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// Where a container engine's Docker-compatible API listens, as <c>DOCKER_HOST</c> names it: <c>unix:///path</c>,
/// <c>tcp://host:port</c> or <c>http(s)://host:port</c>. A unix socket is reached through
/// <see cref="SocketsHttpHandler.ConnectCallback"/>, so the HTTP stack is the ordinary one.
/// </summary>
internal sealed record EngineEndpoint
{
    /// <summary>The API's base address (a placeholder host for a unix socket).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The socket path for <c>unix://</c>; null otherwise.</summary>
    public string? SocketPath { get; init; }

    /// <summary>The host as given, for messages.</summary>
    public required string Display { get; init; }

    /// <summary>Parses <paramref name="host"/>, or returns null and an error naming what is accepted.</summary>
    public static EngineEndpoint? TryParse(Uri host, out string? error)
    {
        error = null;
        switch (host.Scheme)
        {
            case "unix" when host.AbsolutePath.Length > 1:
                return new EngineEndpoint { BaseAddress = new Uri("http://engine/"), SocketPath = host.AbsolutePath, Display = host.OriginalString };
            case "tcp" or "http" when host.Port > 0:
                return new EngineEndpoint { BaseAddress = new Uri($"http://{host.Authority}/"), Display = host.OriginalString };
            case "https":
                return new EngineEndpoint { BaseAddress = new Uri($"https://{host.Authority}/"), Display = host.OriginalString };
            default:
                error = $"container engine host '{host.OriginalString}' is not supported: use unix:///path/to/docker.sock, tcp://HOST:PORT or http(s)://HOST:PORT";
                return null;
        }
    }

    /// <summary>An HTTP handler that reaches this endpoint.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), UseProxy = false };
        if (SocketPath is { } path)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }
}
