using System.Net;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// A forward-only blob stream over HTTP that resumes with <c>Range</c> when the connection drops. It does not check
/// what it reads: <see cref="RegistryClient.OpenBlobAsync"/> wraps it in a <see cref="Layers.DigestVerifyingStream"/>.
/// </summary>
internal sealed class BlobStream : Stream
{
    private readonly Func<long, CancellationToken, Task<HttpResponseMessage>> _open;
    private readonly Digest _digest;
    private readonly int _maxResumes;
    private readonly string _name;
    private readonly TimeSpan _readTimeout;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private int _resumes;
    private bool _finished;

    private BlobStream(Func<long, CancellationToken, Task<HttpResponseMessage>> open, Digest digest, long offset, int maxResumes, TimeSpan readTimeout, string name)
    {
        _readTimeout = readTimeout;
        _open = open;
        _digest = digest;
        _position = offset;
        _maxResumes = maxResumes;
        _name = name;
    }

    /// <summary>Opens the blob at <paramref name="offset"/>; <paramref name="open"/> sends a GET (with Range when the offset is not 0).</summary>
    /// <remarks>A read that stalls longer than <paramref name="readTimeout"/> counts as a dropped connection.</remarks>
    public static async Task<BlobStream> OpenAsync(Func<long, CancellationToken, Task<HttpResponseMessage>> open, Digest digest, long offset, int maxResumes, TimeSpan readTimeout, string name, CancellationToken cancellationToken)
    {
        var stream = new BlobStream(open, digest, offset, maxResumes, readTimeout, name);
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
            int read;
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(_readTimeout);
            try
            {
                read = await _body!.ReadAsync(buffer, stall.Token);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested && _resumes < _maxResumes)
            {
                await ResumeAsync(cancellationToken);
                continue;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"{_name}: blob {_digest} stalled for {_readTimeout.TotalSeconds:0.#} s at byte {_position}, {_resumes} resumes used.", e);
            }

            if (read == 0)
            {
                // A clean end means the server sent all it declared (a cut connection throws instead): no resume.
                _finished = true;
                return 0;
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

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _resumes++;
        await ConnectAsync(cancellationToken);
    }

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
