using System.Globalization;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Sizes as people write them: <c>512M</c>, <c>2G</c>, <c>1.5GiB</c>, <c>800000</c> (bytes); K, M, G, T are powers of 1024.</summary>
internal static class ByteSize
{
    /// <summary>The size <paramref name="text"/> says, or null when it is not a positive size.</summary>
    public static long? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.EndsWith('B') || value.EndsWith('b'))
        {
            value = value[..^1];
        }

        if (value.EndsWith('i') || value.EndsWith('I'))
        {
            value = value[..^1];
        }

        var shift = value.Length == 0 ? 0 : char.ToUpperInvariant(value[^1]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => 0,
        };
        if (shift > 0)
        {
            value = value[..^1];
        }

        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return null;
        }

        var bytes = number * (1L << shift);
        return bytes is >= 1 and <= long.MaxValue ? (long)bytes : null;
    }
}
