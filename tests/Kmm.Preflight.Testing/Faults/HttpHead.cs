using System.Net.Sockets;
using System.Text;

namespace Kmm.Preflight.Testing.Faults;

/// <summary>The start line and headers of an HTTP/1.1 message, read off a socket stream.</summary>
internal sealed record HttpHead(string StartLine, List<KeyValuePair<string, string>> Headers)
{
    private const int MaxBytes = 64 * 1024;

    public string? Get(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public HttpHead Without(params string[] names) =>
        this with { Headers = [.. Headers.Where(h => !names.Any(n => n.Equals(h.Key, StringComparison.OrdinalIgnoreCase)))] };

    public HttpHead With(string name, string value) => this with { Headers = [.. Without(name).Headers, new(name, value)] };

    public byte[] ToBytes()
    {
        var text = new StringBuilder(StartLine).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>Reads a head; null when the peer closed before sending one.</summary>
    public static async Task<HttpHead?> ReadAsync(BufferedReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var total = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return lines.Count == 0 ? null : throw new IOException("connection closed inside an HTTP head");
            }

            total += line.Length + 2;
            if (total > MaxBytes)
            {
                throw new IOException("HTTP head too large");
            }

            if (line.Length == 0)
            {
                if (lines.Count == 0)
                {
                    continue;
                }

                break;
            }

            lines.Add(line);
        }

        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim())).ToList();
        return new HttpHead(lines[0], headers);
    }
}

/// <summary>A small buffered reader over a socket stream: lines for heads, exact counts and chunks for bodies.</summary>
internal sealed class BufferedReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            var b = _buffer[_start++];
            if (b == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)b);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes into <paramref name="into"/>.</summary>
    public async Task ReadExactlyAsync(MemoryStream into, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new IOException($"connection closed with {count} body bytes missing");
            }

            var n = (int)Math.Min(count, _end - _start);
            into.Write(_buffer, _start, n);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Reads everything until the peer closes.</summary>
    public async Task ReadToEndAsync(MemoryStream into, CancellationToken cancellationToken)
    {
        do
        {
            into.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
        while (await FillAsync(cancellationToken));
    }

    /// <summary>Reads a chunked body.</summary>
    public async Task ReadChunkedAsync(MemoryStream into, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new IOException("connection closed inside a chunked body");
            var size = Convert.ToInt64(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while (!string.IsNullOrEmpty(await ReadLineAsync(cancellationToken)))
                {
                    // Trailers: ignored.
                }

                return;
            }

            await ReadExactlyAsync(into, size, cancellationToken);
            await ReadLineAsync(cancellationToken);
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        try
        {
            _end = await stream.ReadAsync(_buffer, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException)
        {
            _end = 0;
        }

        return _end > 0;
    }
}
