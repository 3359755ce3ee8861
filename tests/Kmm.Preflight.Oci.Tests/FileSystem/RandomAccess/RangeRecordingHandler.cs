namespace Kmm.Preflight.Oci.Tests.FileSystem.RandomAccess;

/// <summary>Records blob GETs with their Range header; with <see cref="IgnoreRange"/>, drops the header, as a registry
/// that ignores Range answers (200 and the whole blob).</summary>
internal sealed class RangeRecordingHandler : DelegatingHandler
{
    public RangeRecordingHandler()
        : base(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
    }

    public bool IgnoreRange { get; set; }

    /// <summary>Flips the byte this many bytes before the end of each ranged (206) body; 0: none.</summary>
    public int CorruptFromEnd { get; set; }

    public List<(string Path, string? Range, int Status)> BlobGets { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var range = request.Headers.Range?.ToString();
        if (IgnoreRange)
        {
            request.Headers.Range = null;
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (CorruptFromEnd > 0 && response.StatusCode == System.Net.HttpStatusCode.PartialContent)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            bytes[Math.Max(0, bytes.Length - CorruptFromEnd)] ^= 0xff;
            var content = new ByteArrayContent(bytes);
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
        }

        if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal))
        {
            lock (BlobGets)
            {
                BlobGets.Add((request.RequestUri.AbsolutePath, range, (int)response.StatusCode));
            }
        }

        return response;
    }
}
