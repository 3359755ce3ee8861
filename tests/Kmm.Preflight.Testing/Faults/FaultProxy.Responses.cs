using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Kmm.Preflight.Testing.Faults;

/// <content>Relaying one request to the registry and sending the (possibly faulty) response.</content>
public sealed partial class FaultProxy
{
    private const string StoragePrefix = "/storage";

    /// <summary>Answers one request; false when the connection must not be reused.</summary>
    private async Task<bool> RespondAsync(Socket socket, NetworkStream client, HttpHead head, byte[] requestBody, ProxiedRequest request)
    {
        var fault = _rules.FirstOrDefault(r => r.TryTake(request))?.Fault;
        switch (fault)
        {
            case Fault.Status status:
                var headers = status.RetryAfter is { } after ? new[] { ("Retry-After", ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture)) } : [];
                await WriteSimpleAsync(client, status.Code, $"{{\"errors\":[{{\"code\":\"FAULT\",\"message\":\"injected {status.Code}\"}}]}}", headers);
                return true;
            case Fault.RedirectToStorage redirect:
                var signedAt = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                var location = $"http://{StorageHost}{StoragePrefix}{request.Path}?X-Amz-Date={signedAt}&X-Amz-Expires={(long)redirect.Lifetime.TotalSeconds}&X-Amz-Signature=fault-proxy-secret";
                await WriteSimpleAsync(client, 307, string.Empty, [("Location", location)]);
                return true;
        }

        var target = request.ViaStorage && request.Path.StartsWith(StoragePrefix, StringComparison.Ordinal) ? request.Path[StoragePrefix.Length..] : request.Target;
        (HttpHead Head, byte[] Body) upstream;
        try
        {
            upstream = await ForwardAsync(head, target, requestBody, request.Method == "HEAD");
        }
        catch (SocketException)
        {
            // The registry is down (restarting): answer as a load balancer in front of it would.
            await WriteSimpleAsync(client, 502, "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"registry unreachable\"}]}", []);
            return true;
        }
        catch (IOException)
        {
            // The registry died in the middle of its answer: so does the connection to the client.
            Reset(socket);
            return false;
        }

        var body = upstream.Body;
        var responseHead = upstream.Head.Without("Transfer-Encoding", "Connection", "Keep-Alive").With("Connection", "keep-alive");
        if (request.Method == "HEAD")
        {
            await client.WriteAsync(responseHead.ToBytes(), _stop.Token);
            return true;
        }

        responseHead = responseHead.With("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        switch (fault)
        {
            case Fault.ResetAfter reset:
                await WriteHeadAndPrefixAsync(client, responseHead, body, reset.Bytes);
                Reset(socket);
                return false;
            case Fault.StallAfter stall:
                await WriteHeadAndPrefixAsync(client, responseHead, body, stall.Bytes);
                // Hold the connection open, silent, until the client gives up or the proxy stops.
                await socket.ReceiveAsync(new byte[1], SocketFlags.None, _stop.Token);
                return false;
            case Fault.TruncateAfter truncate:
                await WriteHeadAndPrefixAsync(client, responseHead, body, truncate.Bytes);
                socket.Shutdown(SocketShutdown.Send);
                return false;
            case Fault.ShortContentLength lie:
                var shortBody = body[..(int)Math.Min(lie.Bytes, body.Length)];
                await client.WriteAsync(responseHead.With("Content-Length", shortBody.Length.ToString(CultureInfo.InvariantCulture)).ToBytes(), _stop.Token);
                await client.WriteAsync(shortBody, _stop.Token);
                return true;
            case Fault.Drip drip:
                await client.WriteAsync(responseHead.ToBytes(), _stop.Token);
                for (var i = 0; i < body.Length; i++)
                {
                    await client.WriteAsync(body.AsMemory(i, 1), _stop.Token);
                    await Task.Delay(drip.Interval, _stop.Token);
                }

                return true;
            case Fault.Tamper tamper when body.Length > 0:
                body = (byte[])body.Clone();
                body[(int)Math.Clamp(tamper.Offset, 0, body.Length - 1)] ^= 0x5a;
                break;
            case Fault.Endless:
                await WriteEndlessAsync(client, responseHead.Without("Content-Length").With("Transfer-Encoding", "chunked"), body);
                return false;
        }

        await client.WriteAsync(responseHead.ToBytes(), _stop.Token);
        await client.WriteAsync(body, _stop.Token);
        return true;
    }

    /// <summary>Sends the request to the registry on a fresh connection and reads its whole answer.</summary>
    /// <exception cref="SocketException">The registry cannot be reached.</exception>
    /// <exception cref="IOException">The registry closed the connection before the answer was complete.</exception>
    private async Task<(HttpHead Head, byte[] Body)> ForwardAsync(HttpHead head, string target, byte[] body, bool isHead)
    {
        var parts = head.StartLine.Split(' ');
        var separator = Upstream.LastIndexOf(':');
        using var connection = new TcpClient();
        await connection.ConnectAsync(Upstream[..separator], int.Parse(Upstream[(separator + 1)..], CultureInfo.InvariantCulture), _stop.Token);
        await using var stream = connection.GetStream();
        var request = head.Without("Keep-Alive", "Proxy-Connection") with { StartLine = $"{parts[0]} {target} HTTP/1.1" };
        request = request.With("Host", Upstream).With("Connection", "close");
        await stream.WriteAsync(request.ToBytes(), _stop.Token);
        await stream.WriteAsync(body, _stop.Token);
        var reader = new BufferedReader(stream);
        var response = await HttpHead.ReadAsync(reader, _stop.Token) ?? throw new IOException("the registry closed the connection without answering");
        var status = int.Parse(response.StartLine.Split(' ')[1], CultureInfo.InvariantCulture);
        using var content = new MemoryStream();
        if (isHead || status is 204 or 304 || status < 200)
        {
            return (response, []);
        }

        if (long.TryParse(response.Get("Content-Length"), out var length))
        {
            await reader.ReadExactlyAsync(content, length, _stop.Token);
        }
        else if (response.Get("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            await reader.ReadChunkedAsync(content, _stop.Token);
        }
        else
        {
            await reader.ReadToEndAsync(content, _stop.Token);
        }

        return (response, content.ToArray());
    }

    private async Task WriteSimpleAsync(NetworkStream client, int status, string json, IEnumerable<(string Name, string Value)> headers)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var head = new HttpHead($"HTTP/1.1 {status} Fault", [new("Content-Type", "application/json"), new("Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture)), new("Docker-Distribution-API-Version", "registry/2.0")]);
        foreach (var (name, value) in headers)
        {
            head = head.With(name, value);
        }

        await client.WriteAsync(head.ToBytes(), _stop.Token);
        await client.WriteAsync(bytes, _stop.Token);
    }

    private async Task WriteHeadAndPrefixAsync(NetworkStream client, HttpHead head, byte[] body, long bytes)
    {
        await client.WriteAsync(head.ToBytes(), _stop.Token);
        await client.WriteAsync(body.AsMemory(0, (int)Math.Min(bytes, body.Length)), _stop.Token);
        await client.FlushAsync(_stop.Token);
    }

    private async Task WriteEndlessAsync(NetworkStream client, HttpHead head, byte[] body)
    {
        await client.WriteAsync(head.ToBytes(), _stop.Token);
        var filler = body.Length > 0 ? body : new byte[64 * 1024];
        var prefix = Encoding.ASCII.GetBytes($"{filler.Length:x}\r\n");
        var crlf = "\r\n"u8.ToArray();
        // Until the client hangs up (the write fails) or the proxy stops.
        while (true)
        {
            await client.WriteAsync(prefix, _stop.Token);
            await client.WriteAsync(filler, _stop.Token);
            await client.WriteAsync(crlf, _stop.Token);
        }
    }

    private static void Reset(Socket socket)
    {
        // Linger 0: close sends RST, as a crashed proxy or a cut network does.
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
