using System.Buffers.Binary;
using System.Text;
using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Modules;

public class ElfModInfoReaderTests
{
    private static IEnumerable<string> RealModules => CoreTestData.ModuleNames;

    [TestCaseSource(nameof(RealModules))]
    public void Vermagic_name_and_depends_match_modinfo(string name)
    {
        var path = CoreTestData.ModulePath(name);
        var info = ElfModInfoReader.Read(File.ReadAllBytes(path));
        Assert.Multiple(() =>
        {
            Assert.That(info.Vermagic, Is.EqualTo(Tool.Run("modinfo", "-F", "vermagic", path).TrimEnd('\n')));
            Assert.That(info.Name, Is.EqualTo(Tool.Run("modinfo", "-F", "name", path).TrimEnd('\n')));
            Assert.That(string.Join(',', info.Depends), Is.EqualTo(Tool.Run("modinfo", "-F", "depends", path).TrimEnd('\n')));
            Assert.That(info.Entries.Where(e => e.Key == "alias").Select(e => e.Value),
                Is.EqualTo(Tool.Run("modinfo", "-F", "alias", path).Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        });
    }

    [TestCase("6.1.0-56-amd64 SMP preempt mod_unload modversions ", "6.1.0-56-amd64", true)]
    [TestCase("6.1.0-56-amd64", "6.1.0-56-amd64", true)]
    [TestCase("6.1.0-56-amd64-rt SMP", "6.1.0-56-amd64", false)]
    [TestCase("6.1.0-5 SMP", "6.1.0-56", false)]
    [TestCase("6.0.0-1 SMP", "6.1.0-56-amd64", false)]
    public void Vermagic_must_start_with_the_release_then_space_or_end(string vermagic, string kernel, bool matches)
        => Assert.That(ModInfo.VermagicMatches(vermagic, kernel), Is.EqualTo(matches));

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void Synthetic_elf_in_every_class_and_byte_order(bool is64, bool bigEndian)
    {
        var elf = SyntheticElf.Build(is64, bigEndian, "license=GPL\0vermagic=5.10.0-1 SMP\0\0\0name=synthetic\0");
        var info = ElfModInfoReader.Read(elf);
        Assert.That((info.Vermagic, info.Name, info.Get("license")), Is.EqualTo(("5.10.0-1 SMP", "synthetic", "GPL")));
    }

    [Test]
    public void Malformed_files_are_invalid_data()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ElfModInfoReader.Read(Encoding.ASCII.GetBytes("#!/bin/sh\necho not a module\n" + new string(' ', 64))),
                Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not an ELF file"));
            Assert.That(() => ElfModInfoReader.Read(CoreTestData.Module("dummy").AsSpan(0, 40)),
                Throws.InstanceOf<InvalidDataException>());
            var truncated = CoreTestData.Module("dummy").AsSpan(0, 4096).ToArray();
            Assert.That(() => ElfModInfoReader.Read(truncated), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("outside the file"));
            var noModInfo = SyntheticElf.Build(true, false, "x=y\0", sectionName: ".data");
            Assert.That(() => ElfModInfoReader.Read(noModInfo), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no .modinfo section"));
        });
    }

    /// <summary>Builds a minimal relocatable ELF: null section, a data section, the section name table.</summary>
    private static class SyntheticElf
    {
        public static byte[] Build(bool is64, bool bigEndian, string modinfo, string sectionName = ".modinfo")
        {
            var names = Encoding.ASCII.GetBytes("\0" + sectionName + "\0.shstrtab\0");
            var data = Encoding.ASCII.GetBytes(modinfo);
            var headerSize = is64 ? 64 : 52;
            var entrySize = is64 ? 64 : 40;
            var dataAt = headerSize;
            var namesAt = dataAt + data.Length;
            var sectionsAt = (namesAt + names.Length + 7) & ~7;
            var file = new byte[sectionsAt + (3 * entrySize)];
            file[0] = 0x7f;
            file[1] = (byte)'E';
            file[2] = (byte)'L';
            file[3] = (byte)'F';
            file[4] = (byte)(is64 ? 2 : 1);
            file[5] = (byte)(bigEndian ? 2 : 1);
            file[6] = 1;
            data.CopyTo(file, dataAt);
            names.CopyTo(file, namesAt);
            void U16(int at, int v)
            {
                if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(at), (ushort)v);
                else BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), (ushort)v);
            }

            void U32(int at, long v)
            {
                if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(at), (uint)v);
                else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), (uint)v);
            }

            void U64(int at, long v)
            {
                if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(at), (ulong)v);
                else BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), (ulong)v);
            }

            U16(16, 1); // ET_REL
            if (is64)
            {
                U64(0x28, sectionsAt);
                U16(0x3A, entrySize);
                U16(0x3C, 3);
                U16(0x3E, 2);
            }
            else
            {
                U32(0x20, sectionsAt);
                U16(0x2E, entrySize);
                U16(0x30, 3);
                U16(0x32, 2);
            }

            void Section(int index, int name, long offset, long size)
            {
                var at = sectionsAt + (index * entrySize);
                U32(at, name);
                if (is64)
                {
                    U64(at + 0x18, offset);
                    U64(at + 0x20, size);
                }
                else
                {
                    U32(at + 0x10, offset);
                    U32(at + 0x14, size);
                }
            }

            Section(1, 1, dataAt, data.Length);
            Section(2, 2 + sectionName.Length, namesAt, names.Length);
            return file;
        }
    }
}
