using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Modules;

public class ModuleCompressionTests
{
    [TestCase("xz", "xz")]
    [TestCase("zst", "zstd")]
    [TestCase("gz", "gzip")]
    public async Task Compressed_real_modules_decompress_to_the_original(string suffix, string format)
    {
        var original = CoreTestData.Module("veth");
        var compressed = Tool.Compress(original, suffix);
        Assert.That(ModuleCompression.Detect(compressed), Is.EqualTo(format));
        var decompressed = await ModuleCompression.DecompressAsync(compressed);
        Assert.That(decompressed, Is.EqualTo(original));
        Assert.That(ElfModInfoReader.Read(decompressed).Vermagic, Does.StartWith(CoreTestData.Kernel + " "));
    }

    [Test]
    public async Task Uncompressed_modules_are_returned_as_they_are()
    {
        var original = CoreTestData.Module("dummy");
        Assert.That(ModuleCompression.Detect(original), Is.Null);
        Assert.That(await ModuleCompression.DecompressAsync(original), Is.SameAs(original));
    }

    [TestCase("xz")]
    [TestCase("zst")]
    [TestCase("gz")]
    public void Corrupt_compressed_modules_are_invalid_data(string suffix)
    {
        var compressed = Tool.Compress(CoreTestData.Module("dummy"), suffix);
        var corrupt = compressed.AsSpan(0, compressed.Length / 2).ToArray();
        Array.Fill(corrupt, (byte)0x55, 16, Math.Min(64, corrupt.Length - 16));
        Assert.That(async () => await ModuleCompression.DecompressAsync(corrupt), Throws.InstanceOf<InvalidDataException>());
    }

    [TestCase("foo.ko", "foo")]
    [TestCase("/opt/lib/modules/k/extra/foo-bar.ko.xz", "foo_bar")]
    [TestCase("a/b/x_y.ko.zst", "x_y")]
    [TestCase("x.ko.gz", "x")]
    [TestCase("x.ko.bz2", null)]
    [TestCase("x.o", null)]
    [TestCase(".ko", null)]
    public void Module_names_from_file_names(string file, string? name)
        => Assert.That(ModuleNames.FromFileName(file), Is.EqualTo(name));

    [Test]
    public void Dash_and_underscore_are_equal()
        => Assert.That(ModuleNames.IsFileFor("/x/net-failover.ko", "net_failover") && ModuleNames.IsFileFor("/x/net_failover.ko.xz", "net-failover"), Is.True);
}
