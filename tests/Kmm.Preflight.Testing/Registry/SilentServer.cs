using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// A TCP server on 127.0.0.1 that accepts every connection, reads what the client sends and never answers: a
/// registry that hangs after the TCP handshake. Records the first bytes of each connection, so a test can tell a
/// TLS ClientHello (0x16) from a plain HTTP request.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Socket> _sockets = new();
    private readonly ConcurrentQueue<byte> _firstBytes = new();
    private readonly Task _acceptLoop;

    /// <summary>Starts listening on a free port of 127.0.0.1.</summary>
    public SilentServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>How many connections were accepted.</summary>
    public int Connections => _sockets.Count;

    /// <summary>Whether any connection started with a plain HTTP request rather than a TLS handshake.</summary>
    public bool ReceivedPlainHttp => _firstBytes.Any(b => b != 0x16);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        while (_sockets.TryDequeue(out var socket))
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _sockets.Enqueue(socket);
            _ = Task.Run(() => RecordFirstByteAsync(socket));
        }
    }

    private async Task RecordFirstByteAsync(Socket socket)
    {
        var buffer = new byte[1];
        try
        {
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) == 1)
            {
                _firstBytes.Enqueue(buffer[0]);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client gave up, or the test is over: nothing to record.
        }
    }
}
