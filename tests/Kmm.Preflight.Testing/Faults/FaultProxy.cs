using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Kmm.Preflight.Testing.Faults;

/// <summary>
/// A reverse proxy on real sockets between a client and a real registry (e.g. <see cref="Registry.RegistryProcess"/>):
/// it relays HTTP/1.1 to the registry, one upstream connection per request, and applies <see cref="FaultRule"/>s to
/// responses (resets, stalls, drip-feeding, error statuses, truncated or lying bodies, redirects to a storage listener
/// on another loopback address, tampering, endless bodies). It counts connections and requests in flight, as the
/// registry behind it sees them. Request bodies are relayed by <c>Content-Length</c> only (no chunked uploads).
/// </summary>
public sealed partial class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly TcpListener _storage;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<FaultRule> _rules = new();
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly ConcurrentDictionary<Socket, bool> _sockets = new();
    private readonly Task[] _acceptLoops;
    private int _connections;
    private int _maxConnections;
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Starts relaying to <paramref name="upstream"/> (<c>127.0.0.1:PORT</c>), with a storage listener on 127.0.0.2.</summary>
    public FaultProxy(string upstream)
    {
        Upstream = upstream ?? throw new ArgumentNullException(nameof(upstream));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        // Another address than the registry's, as a real storage host is: credentials must not follow the redirect.
        _storage = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        _storage.Start(512);
        Host = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        StorageHost = $"127.0.0.2:{((IPEndPoint)_storage.LocalEndpoint).Port}";
        _acceptLoops = [AcceptLoopAsync(_listener, viaStorage: false), AcceptLoopAsync(_storage, viaStorage: true)];
    }

    /// <summary>Where requests are relayed to, <c>host:port</c>.</summary>
    public string Upstream { get; }

    /// <summary>Where clients connect, <c>127.0.0.1:PORT</c>: use it as the registry host in image references.</summary>
    public string Host { get; }

    /// <summary>The storage listener redirects lead to, <c>127.0.0.2:PORT</c>.</summary>
    public string StorageHost { get; }

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>The most client connections open at once.</summary>
    public int MaxConnections => Volatile.Read(ref _maxConnections);

    /// <summary>The most requests in flight at once (received, response not yet fully sent).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Adds a rule; rules are tried in the order added, the first that takes a request applies.</summary>
    public FaultRule Add(FaultRule rule)
    {
        _rules.Enqueue(rule ?? throw new ArgumentNullException(nameof(rule)));
        return rule;
    }

    /// <summary>Adds a rule for requests <paramref name="matches"/> accepts, the first <paramref name="times"/> of them (null: all).</summary>
    public FaultRule Add(Func<ProxiedRequest, bool> matches, Fault fault, int? times = 1) => Add(new FaultRule(matches, fault, times));

    /// <summary>Forgets requests and counters (not rules).</summary>
    public void ResetCounters()
    {
        _requests.Clear();
        Volatile.Write(ref _maxConnections, Volatile.Read(ref _connections));
        Volatile.Write(ref _maxInFlight, 0);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _storage.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, bool viaStorage)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeConnectionAsync(socket, viaStorage));
        }
    }

    private async Task ServeConnectionAsync(Socket socket, bool viaStorage)
    {
        _sockets[socket] = true;
        Raise(ref _maxConnections, Interlocked.Increment(ref _connections));
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new BufferedReader(stream);
            while (!_stop.IsCancellationRequested)
            {
                var head = await HttpHead.ReadAsync(reader, _stop.Token);
                if (head is null)
                {
                    return;
                }

                using var body = new MemoryStream();
                if (long.TryParse(head.Get("Content-Length"), out var length) && length > 0)
                {
                    await reader.ReadExactlyAsync(body, length, _stop.Token);
                }

                var parts = head.StartLine.Split(' ');
                var request = new ProxiedRequest(parts[0], parts.Length > 1 ? parts[1] : "/", head.Get("Range"), viaStorage);
                _requests.Enqueue(request);
                Raise(ref _maxInFlight, Interlocked.Increment(ref _inFlight));
                bool keepAlive;
                try
                {
                    keepAlive = await RespondAsync(socket, stream, head, body.ToArray(), request);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }

                if (!keepAlive)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the proxy stops: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
            _sockets.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private static void Raise(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }
}
