namespace Kmm.Preflight.Testing.Fuzzing;

/// <summary>
/// Deterministic input mutation for the in-process fuzz tests (a fixed seed, so a failure reproduces): bit flips,
/// interesting values (0, 0xff, 0x7f, 0x80, ASCII digits), inserted, removed and duplicated ranges, truncation, and
/// splices of two seeds; the mutations afl++ and libFuzzer start with.
/// </summary>
public sealed class ByteMutator
{
    private static readonly byte[] Interesting = [0x00, 0xff, 0x7f, 0x80, 0x01, (byte)'0', (byte)'7', (byte)'9', (byte)'-', (byte)'[', (byte)'{', (byte)'&', (byte)'*', (byte)'\n'];
    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _seeds;

    /// <summary>Creates a mutator over <paramref name="seeds"/> (at least one).</summary>
    public ByteMutator(IReadOnlyList<byte[]> seeds, int seed)
    {
        if (seeds.Count == 0)
        {
            throw new ArgumentException("no seeds", nameof(seeds));
        }

        _seeds = seeds;
        _random = new Random(seed);
    }

    /// <summary>The next input: a seed with one to eight mutations.</summary>
    public byte[] Next()
    {
        var data = new List<byte>(_seeds[_random.Next(_seeds.Count)]);
        var count = 1 + _random.Next(8);
        for (var i = 0; i < count; i++)
        {
            Mutate(data);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(7))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2:
                data.InsertRange(at, Enumerable.Repeat(Interesting[_random.Next(Interesting.Length)], 1 + _random.Next(16)));
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(64)));
                break;
            case 4 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + _random.Next(512));
                data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                break;
            case 5 when data.Count > 0:
                data.RemoveRange(at, data.Count - at);
                break;
            default:
                var other = _seeds[_random.Next(_seeds.Count)];
                var from = _random.Next(other.Length + 1);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
        }
    }
}
