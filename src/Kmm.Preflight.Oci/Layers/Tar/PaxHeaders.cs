using System.Globalization;
using System.Text;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>Parses PAX extended header records (<c>"%d %s=%s\n"</c>), keeping the keys the index needs.</summary>
internal static class PaxHeaders
{
    /// <summary>Parses <paramref name="data"/>, setting <paramref name="path"/>, <paramref name="linkPath"/> and <paramref name="size"/> when present.</summary>
    /// <exception cref="InvalidDataException">A malformed record.</exception>
    public static void Parse(ReadOnlySpan<byte> data, TarPosition where, ref string? path, ref string? linkPath, ref long? size)
    {
        while (!data.IsEmpty)
        {
            if (data[0] == 0)
            {
                // Some writers pad the extended header with NULs.
                break;
            }

            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 1 || length > data.Length || data[length - 1] != (byte)'\n')
            {
                throw new InvalidDataException($"{where}: malformed PAX extended header record.");
            }

            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw new InvalidDataException($"{where}: PAX extended header record without '='.");
            }

            var key = record[..equals];
            var value = record[(equals + 1)..];
            if (key.SequenceEqual("path"u8))
            {
                path = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("linkpath"u8))
            {
                linkPath = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("size"u8))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    throw new InvalidDataException($"{where}: invalid PAX size '{Encoding.UTF8.GetString(value)}'.");
                }

                size = parsed;
            }

            data = data[length..];
        }
    }
}
