using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Runner.Output;

namespace Kmm.Preflight.Runner.Tests.Output;

public class EntryListWriterTests
{
    private static readonly Digest Layer = Digest.Parse("sha256:" + new string('a', 64));

    private static FileSystemEntry Entry(string path, EntryType type, long size = 0, string? target = null)
        => new() { Path = path, Type = type, Size = size, LinkTarget = target, Layer = Layer, LayerIndex = 0 };

    [Test]
    public async Task Paths_are_sorted_ordinally_one_a_line()
    {
        var output = new StringWriter();
        await EntryListWriter.WriteAsync([Entry("/opt/b", EntryType.File), Entry("/opt/B", EntryType.File), Entry("/opt/a", EntryType.Directory)], false, output, CancellationToken.None);

        Assert.That(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "/opt/B", "/opt/a", "/opt/b" }));
    }

    [Test]
    public void Long_form_shows_type_size_and_link_target()
    {
        Assert.That(EntryListWriter.FormatLong(Entry("/lib", EntryType.Symlink, target: "usr/lib")), Does.StartWith("l ").And.EndWith(" /lib -> usr/lib"));
        Assert.That(EntryListWriter.FormatLong(Entry("/opt/x.ko", EntryType.File, 4242)), Does.StartWith("- ").And.Contain(" 4242 /opt/x.ko"));
        Assert.That(EntryListWriter.FormatLong(Entry("/opt", EntryType.Directory)), Does.StartWith("d "));
    }
}
