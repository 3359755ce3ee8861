using System.Diagnostics;
using System.Globalization;
using System.Net;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// A forward-only blob stream over HTTP that resumes with <c>Range</c> when the connection drops, stalls or
/// drip-feeds. It does not check what it reads: <see cref="RegistryClient.OpenBlobAsync"/> wraps it in a
/// <see cref="Layers.DigestVerifyingStream"/>.
/// </summary>
internal sealed class BlobStream : Stream
{
    private readonly Func<long, CancellationToken, Task<HttpResponseMessage>> _open;
    private readonly Digest _digest;
    private readonly BlobReadPolicy _policy;
    private readonly string _name;
    private readonly ThroughputFloor _floor;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private int _resumes;
    private int _slowAttempts;
    private bool _finished;

    private BlobStream(Func<long, CancellationToken, Task<HttpResponseMessage>> open, Digest digest, long offset, BlobReadPolicy policy, string name)
    {
        _open = open;
        _digest = digest;
        _position = offset;
        _policy = policy;
        _name = name;
        _floor = new ThroughputFloor(policy.MinBytesPerSecond, policy.SlowWindow);
    }

    /// <summary>Opens the blob at <paramref name="offset"/>; <paramref name="open"/> sends a GET (with Range when the offset is not 0).</summary>
    /// <remarks>
    /// A read that gets nothing for <see cref="BlobReadPolicy.ReadTimeout"/> counts as a dropped connection; an
    /// attempt whose throughput stays under <see cref="BlobReadPolicy.MinBytesPerSecond"/> for a window is cut and
    /// resumed, and the blob fails after <see cref="BlobReadPolicy.MaxSlowAttempts"/> such attempts.
    /// </remarks>
    public static async Task<BlobStream> OpenAsync(Func<long, CancellationToken, Task<HttpResponseMessage>> open, Digest digest, long offset, BlobReadPolicy policy, string name, CancellationToken cancellationToken)
    {
        var stream = new BlobStream(open, digest, offset, policy, name);
        try
        {
            await stream.ConnectAsync(cancellationToken);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many times the stream resumed after a dropped connection.</summary>
    public int Resumes => _resumes;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_finished || buffer.Length == 0)
        {
            return 0;
        }

        while (true)
        {
            var (read, cut) = await ReadOnceAsync(buffer, cancellationToken);
            if (cut.Error is not null || (cut.TimedOut && !cut.ByFloor))
            {
                await ResumeAsync(cut, cancellationToken);
                continue;
            }

            if (cut.TimedOut)
            {
                await OnSlowAsync(cancellationToken);
                continue;
            }

            if (read == 0)
            {
                // A clean end means the server sent all it declared (a cut connection throws instead): no resume,
                // and nothing left to judge the throughput of.
                _finished = true;
                return 0;
            }

            if (_floor.RecordAndCheck(read, cut.Started))
            {
                // The bytes just read are dropped with the connection: the resume asks for them again.
                await OnSlowAsync(cancellationToken);
                continue;
            }

            _position += read;
            return read;
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
            _response?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// One read with a deadline: the read timeout, or sooner, when the floor's window would fail: at the end of the
    /// current window when too few bytes came in it, else at the end of the next one (a whole window without a byte).
    /// </summary>
    private async Task<(int Read, ReadCut Cut)> ReadOnceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var deadline = _policy.ReadTimeout;
        var byFloor = false;
        if (_floor.Enabled)
        {
            var windowCanFail = _floor.Bytes < _floor.MinBytesPerSecond * _floor.Window.TotalSeconds;
            var remaining = _floor.Remaining > TimeSpan.Zero ? _floor.Remaining : TimeSpan.FromMilliseconds(1);
            var floorDeadline = windowCanFail ? remaining : remaining + _floor.Window;
            if (floorDeadline < deadline)
            {
                // Cutting a read breaks the connection: only when the throughput is under the floor whatever comes.
                (deadline, byFloor) = (floorDeadline, true);
            }
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(deadline);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return (await _body!.ReadAsync(buffer, limit.Token), new ReadCut(started, false, false, null));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (byFloor)
            {
                _floor.RecordAndCheck(0, started);
            }

            return (0, new ReadCut(started, true, byFloor, null));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (0, new ReadCut(started, false, false, e));
        }
    }

    private async Task ResumeAsync(ReadCut cut, CancellationToken cancellationToken)
    {
        if (_resumes >= _policy.MaxResumes)
        {
            var what = cut.TimedOut ? $"stalled for {Seconds(_policy.ReadTimeout)} s" : $"dropped the connection ({cut.Error?.Message.TrimEnd('.')})";
            var message = $"{_name}: {Host} {what} at byte {_position} of blob {_digest}, after {_resumes} resumes.";
            throw cut.TimedOut ? new RegistryException(message, RegistryFailureKind.Timeout, Host) : new IOException(message, cut.Error);
        }

        await ReconnectAsync(cancellationToken);
    }

    private async Task OnSlowAsync(CancellationToken cancellationToken)
    {
        _slowAttempts++;
        if (_slowAttempts >= _policy.MaxSlowAttempts || _resumes >= _policy.MaxResumes)
        {
            var rate = (_floor.Bytes / _floor.Window.TotalSeconds).ToString("0.#", CultureInfo.InvariantCulture);
            var what = _floor.Bytes < _policy.MinBytesPerSecond * _floor.Window.TotalSeconds
                ? $"sent blob {_digest} at {rate} bytes/s ({_floor.Bytes} bytes in {Seconds(_floor.Window)} s)"
                : $"sent nothing of blob {_digest} for {Seconds(_floor.Window)} s";
            throw new RegistryException(
                $"{_name}: {Host} {what}, under the floor of {_policy.MinBytesPerSecond} bytes/s, on {_slowAttempts} attempt(s); stopped at byte {_position}.",
                RegistryFailureKind.Timeout,
                Host);
        }

        await ReconnectAsync(cancellationToken);
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        _resumes++;
        _floor.Reset();
        await ConnectAsync(cancellationToken);
    }

    /// <summary>The host that serves the body (a storage host after a redirect).</summary>
    private string Host => _response?.RequestMessage?.RequestUri?.Authority ?? "the registry";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>How one read ended: when it started, whether a deadline cut it (the floor's or the read timeout), the error that dropped it.</summary>
    private readonly record struct ReadCut(long Started, bool TimedOut, bool ByFloor, Exception? Error);

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = await _open(_position, cancellationToken);
        var skip = 0L;
        if (_position > 0)
        {
            if (_response.StatusCode == HttpStatusCode.PartialContent)
            {
                var start = _response.Content.Headers.ContentRange?.From;
                if (start is not null && start != _position)
                {
                    throw new InvalidDataException($"{_name}: asked for blob {_digest} from byte {_position} but the registry answered from byte {start}.");
                }
            }
            else
            {
                // The server ignored Range: read past what we already have.
                skip = _position;
            }
        }

        _body = await _response.Content.ReadAsStreamAsync(cancellationToken);
        if (skip > 0)
        {
            var buffer = new byte[81920];
            while (skip > 0)
            {
                var read = await _body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, skip)), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidDataException($"{_name}: blob {_digest} ended before byte {_position} while resuming.");
                }

                skip -= read;
            }
        }
    }
}
