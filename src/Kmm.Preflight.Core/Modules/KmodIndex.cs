using System.Buffers.Binary;
using System.Text;

namespace Kmm.Preflight.Core.Modules;

/// <summary>
/// Reads kmod's binary index files (<c>modules.dep.bin</c>, <c>modules.alias.bin</c>…): big-endian, a header
/// (magic <c>0xB007F457</c>, version <c>0x0002000x</c>, root offset) and trie nodes addressed by 32-bit words whose
/// top bits say whether the node has a prefix string, children and values.
/// </summary>
internal static class KmodIndex
{
    private const uint Magic = 0xB007F457;
    private const uint MajorVersion = 2;
    private const uint FlagPrefix = 0x80000000;
    private const uint FlagValues = 0x40000000;
    private const uint FlagChilds = 0x20000000;
    private const uint OffsetMask = 0x0FFFFFFF;
    private const int MaxEntries = 1_000_000;

    public static bool HasMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == Magic;

    /// <summary>Every key and value of the index, in key order.</summary>
    public static List<KeyValuePair<string, string>> ReadAll(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 12 || !HasMagic(data))
        {
            throw new InvalidDataException("not a kmod index (bad magic; expected 0xB007F457)");
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
        if (version >> 16 != MajorVersion)
        {
            throw new InvalidDataException($"kmod index version 0x{version:x8} is not supported (expected major version 2)");
        }

        var result = new List<KeyValuePair<string, string>>();
        var visited = new HashSet<uint>();
        var stack = new Stack<(uint Word, string Prefix)>();
        stack.Push((BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)), string.Empty));
        while (stack.Count > 0)
        {
            var (word, prefix) = stack.Pop();
            var offset = word & OffsetMask;
            if (!visited.Add(offset) || result.Count > MaxEntries)
            {
                throw new InvalidDataException($"kmod index node at offset {offset} is reached twice or the index is too large: the file is corrupt");
            }

            var at = (int)offset;
            var key = prefix;
            if ((word & FlagPrefix) != 0)
            {
                key += ReadString(data, ref at);
            }

            var children = new List<(uint, string)>();
            if ((word & FlagChilds) != 0)
            {
                Require(data, at, 2);
                int first = data[at];
                int last = data[at + 1];
                at += 2;
                for (var c = first; c <= last; c++)
                {
                    Require(data, at, 4);
                    var child = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
                    at += 4;
                    if ((child & OffsetMask) != 0)
                    {
                        children.Add((child, key + (char)c));
                    }
                }
            }

            if ((word & FlagValues) != 0)
            {
                Require(data, at, 4);
                var count = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
                at += 4;
                for (var v = 0u; v < count; v++)
                {
                    Require(data, at, 4);
                    at += 4; // priority
                    result.Add(new(key, ReadString(data, ref at)));
                }
            }

            for (var c = children.Count - 1; c >= 0; c--)
            {
                stack.Push(children[c]);
            }
        }

        return result;
    }

    private static void Require(byte[] data, int at, int count)
    {
        if (at < 0 || at > data.Length - count)
        {
            throw new InvalidDataException($"kmod index is truncated: {count} bytes needed at offset {at} of {data.Length}");
        }
    }

    private static string ReadString(byte[] data, ref int at)
    {
        Require(data, at, 1);
        var end = Array.IndexOf(data, (byte)0, at);
        if (end < 0)
        {
            throw new InvalidDataException($"kmod index string at offset {at} is not terminated");
        }

        var text = Encoding.UTF8.GetString(data, at, end - at);
        at = end + 1;
        return text;
    }
}
