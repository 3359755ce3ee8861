using System.Buffers.Binary;
using System.Text;

namespace Kmm.Preflight.Core.Modules;

/// <summary>
/// Reads the <c>.modinfo</c> section of a kernel module (an ELF relocatable object) from its section headers:
/// ELF32 and ELF64, little- and big-endian, extended section numbering included.
/// </summary>
public static class ElfModInfoReader
{
    private const int ElfClass32 = 1;
    private const int ElfClass64 = 2;
    private const int DataLittle = 1;
    private const int DataBig = 2;
    private const int ShnXindex = 0xffff;

    /// <summary>Parses the <c>.modinfo</c> section of the (uncompressed) module in <paramref name="elf"/>.</summary>
    /// <exception cref="InvalidDataException">Not an ELF file, truncated headers, or no <c>.modinfo</c> section.</exception>
    public static ModInfo Read(ReadOnlySpan<byte> elf)
    {
        var header = ElfHeader.Read(elf);
        var names = header.Section(elf, header.StringTableIndex);
        var namesData = Slice(elf, names.Offset, names.Size, "section name table");
        for (var i = 0; i < header.SectionCount; i++)
        {
            var section = header.Section(elf, i);
            if (ReadName(namesData, section.NameOffset) == ".modinfo")
            {
                return Parse(Slice(elf, section.Offset, section.Size, ".modinfo section"));
            }
        }

        throw new InvalidDataException("the ELF file has no .modinfo section: it is not a kernel module");
    }

    private static ModInfo Parse(ReadOnlySpan<byte> data)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var range in data.Split((byte)0))
        {
            var text = Encoding.UTF8.GetString(data[range]);
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                entries.Add(new(text[..eq], text[(eq + 1)..]));
            }
        }

        return new ModInfo(entries);
    }

    private static string ReadName(ReadOnlySpan<byte> table, long offset)
    {
        if (offset < 0 || offset >= table.Length)
        {
            return string.Empty;
        }

        var rest = table[(int)offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long offset, long size, string what)
    {
        if (offset < 0 || size < 0 || offset > elf.Length || size > elf.Length - offset)
        {
            throw new InvalidDataException($"ELF {what} at offset {offset}, size {size} lies outside the file ({elf.Length} bytes)");
        }

        return elf.Slice((int)offset, (int)size);
    }

    private readonly record struct SectionHeader(long NameOffset, long Offset, long Size, long Link);

    private readonly record struct ElfHeader(bool Is64, bool BigEndian, long SectionHeaderOffset, int EntrySize, int SectionCount, int StringTableIndex)
    {
        public static ElfHeader Read(ReadOnlySpan<byte> elf)
        {
            if (elf.Length < 52 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file (bad magic): a kernel module starts with \\x7fELF");
            }

            var is64 = elf[4] switch
            {
                ElfClass32 => false,
                ElfClass64 => true,
                _ => throw new InvalidDataException($"unknown ELF class {elf[4]}"),
            };
            var big = elf[5] switch
            {
                DataLittle => false,
                DataBig => true,
                _ => throw new InvalidDataException($"unknown ELF data encoding {elf[5]}"),
            };
            if (is64 && elf.Length < 64)
            {
                throw new InvalidDataException("truncated ELF64 header");
            }

            var temp = new ElfHeader(is64, big, 0, 0, 0, 0);
            var shoff = is64 ? temp.U64(elf, 0x28) : temp.U32(elf, 0x20);
            var entsize = (int)temp.U16(elf, is64 ? 0x3A : 0x2E);
            var count = (int)temp.U16(elf, is64 ? 0x3C : 0x30);
            var strndx = (int)temp.U16(elf, is64 ? 0x3E : 0x32);
            if (entsize < (is64 ? 64 : 40))
            {
                throw new InvalidDataException($"ELF section header entry size {entsize} is too small");
            }

            var header = temp with { SectionHeaderOffset = shoff, EntrySize = entsize, SectionCount = count, StringTableIndex = strndx };
            if (count != 0 && (shoff > elf.Length || (long)count * entsize > elf.Length - shoff))
            {
                // The kernel refuses such a module (ENOEXEC), even when the sections read here happen to lie inside.
                throw new InvalidDataException($"ELF section header table ({count} entries of {entsize} bytes at offset {shoff}) lies outside the file ({elf.Length} bytes)");
            }

            if (count == 0 || strndx == ShnXindex)
            {
                // Extended numbering: the real values live in section 0's sh_size and sh_link.
                var first = header.Section(elf, 0, checkIndex: false);
                header = header with
                {
                    SectionCount = count == 0 ? (int)Math.Min(first.Size, int.MaxValue) : count,
                    StringTableIndex = strndx == ShnXindex ? (int)first.Link : strndx,
                };
            }

            return header;
        }

        public SectionHeader Section(ReadOnlySpan<byte> elf, int index, bool checkIndex = true)
        {
            if (checkIndex && (index < 0 || index >= SectionCount))
            {
                throw new InvalidDataException($"ELF section index {index} is out of range (0..{SectionCount - 1})");
            }

            var at = SectionHeaderOffset + ((long)index * EntrySize);
            var header = Slice(elf, at, EntrySize, $"section header {index}");
            return Is64
                ? new SectionHeader(U32(header, 0), (long)U64(header, 0x18), (long)U64(header, 0x20), U32(header, 0x28))
                : new SectionHeader(U32(header, 0), U32(header, 0x10), U32(header, 0x14), U32(header, 0x18));
        }

        public uint U16(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

        public uint U32(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

        public long U64(ReadOnlySpan<byte> b, int at)
        {
            var value = BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
            return value > long.MaxValue ? throw new InvalidDataException($"ELF field value {value} is out of range") : (long)value;
        }
    }
}
