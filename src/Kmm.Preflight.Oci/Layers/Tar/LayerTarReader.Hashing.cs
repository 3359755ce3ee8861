using System.Security.Cryptography;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <content>Hashing an entry's data where it lies in the read buffer, with no copy.</content>
internal sealed partial class LayerTarReader
{
    /// <summary>SHA-256 of the current entry's unread data, which this reads to its end.</summary>
    /// <exception cref="InvalidDataException">The layer ends inside the data.</exception>
    public async ValueTask<byte[]> HashDataAsync(CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (_current is not null && _dataRemaining > 0)
        {
            if (_start == _end)
            {
                await FillAsync(1, cancellationToken).ConfigureAwait(false);
                if (_start == _end)
                {
                    throw Truncated(_current, _dataRemaining);
                }
            }

            var count = (int)Math.Min(_end - _start, _dataRemaining);
            hash.AppendData(_buffer!, _start, count);
            _start += count;
            _dataRemaining -= count;
        }

        return hash.GetHashAndReset();
    }
}
