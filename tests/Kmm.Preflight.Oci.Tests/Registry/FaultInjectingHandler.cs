using System.Collections.Concurrent;
using System.Net;
using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// Sits under the client in front of a real registry and injects faults: canned error answers, connections that
/// drop mid-body, corrupted bodies. Records every request it sees.
/// </summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage?>> _answers = new();

    public FaultInjectingHandler()
        : base(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
    }

    /// <summary>Every request, in order: method, path and Range header.</summary>
    public ConcurrentQueue<(HttpMethod Method, string Path, string? Range)> Requests { get; } = new();

    /// <summary>Drops the connection after this many body bytes of matching GETs (0: never).</summary>
    public int DropBlobBodyAfter { get; set; }

    /// <summary>How many more blob bodies to drop.</summary>
    public int DropsLeft { get; set; }

    /// <summary>How many more matching requests hang until cancelled (no answer at all).</summary>
    public int HangsLeft { get; set; }

    /// <summary>Which requests may hang.</summary>
    public Func<HttpRequestMessage, bool> HangMatches { get; set; } = _ => true;

    /// <summary>Whether a dropped blob body stalls (hangs) instead of failing.</summary>
    public bool StallInsteadOfDrop { get; set; }

    /// <summary>Replaces a body byte of matching responses.</summary>
    public Func<HttpRequestMessage, bool>? Corrupt { get; set; }

    /// <summary>Queues a canned answer for the next request that <paramref name="matches"/>.</summary>
    public void AnswerOnce(Func<HttpRequestMessage, bool> matches, Func<HttpResponseMessage> answer)
    {
        var used = 0;
        _answers.Enqueue(r => matches(r) && Interlocked.Exchange(ref used, 1) == 0 ? answer() : null);
    }

    public static HttpResponseMessage Status(HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}") };
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }

        return response;
    }

    public int Count(string pathPart) => Requests.Count(r => r.Path.Contains(pathPart, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue((request.Method, request.RequestUri!.AbsolutePath, request.Headers.Range?.ToString()));
        foreach (var answer in _answers)
        {
            if (answer(request) is { } canned)
            {
                canned.RequestMessage = request;
                return canned;
            }
        }

        if (HangsLeft > 0 && HangMatches(request))
        {
            HangsLeft--;
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        var isBlobGet = request.Method == HttpMethod.Get && request.RequestUri.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal);
        if (isBlobGet && DropBlobBodyAfter > 0 && DropsLeft > 0 && response.IsSuccessStatusCode)
        {
            DropsLeft--;
            response.Content = Wrap(response.Content, new DroppingStream(await response.Content.ReadAsStreamAsync(cancellationToken), DropBlobBodyAfter, StallInsteadOfDrop));
        }
        else if (Corrupt?.Invoke(request) == true && response.IsSuccessStatusCode)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            bytes[bytes.Length / 2] ^= 0xff;
            response.Content = Wrap(response.Content, new MemoryStream(bytes));
        }

        return response;
    }

    private static StreamContent Wrap(HttpContent original, Stream body)
    {
        var content = new StreamContent(body);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return content;
    }

    /// <summary>Serves <c>limit</c> bytes then fails like a reset connection.</summary>
    private sealed class DroppingStream(Stream inner, int limit, bool stall) : ForwardReadStream(inner)
    {
        private int _served;

        public override long Length => throw new NotSupportedException();

        protected override long BytesRead => _served;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_served >= limit && stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (_served >= limit)
            {
                throw new IOException("connection reset by fault injection", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset));
            }

            var read = await Inner.ReadAsync(buffer[..Math.Min(buffer.Length, limit - _served)], cancellationToken);
            _served += read;
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            var chunk = new byte[buffer.Length];
            var read = ReadAsync(chunk).AsTask().GetAwaiter().GetResult();
            chunk.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
    }
}
