namespace Kmm.Preflight.Oci.Registry;

/// <summary>Reads a response body into memory with a size cap, so a hostile server cannot exhaust memory.</summary>
internal static class BoundedContent
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; beyond that, truncates or throws <see cref="InvalidDataException"/>.</summary>
    public static async Task<byte[]> ReadAsync(HttpContent content, int limit, bool truncate, CancellationToken cancellationToken, string what = "response")
    {
        if (!truncate && content.Headers.ContentLength is { } declared && declared > limit)
        {
            throw new InvalidDataException($"{what} is {declared} bytes, more than the {limit}-byte limit.");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                break;
            }

            if (buffer.Length + read > limit)
            {
                if (truncate)
                {
                    buffer.Write(chunk, 0, (int)(limit - buffer.Length));
                    break;
                }

                throw new InvalidDataException($"{what} is more than the {limit}-byte limit.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
