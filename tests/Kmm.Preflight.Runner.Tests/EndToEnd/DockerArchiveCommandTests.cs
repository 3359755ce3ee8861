using System.Text;
using System.Text.Json;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>inspect, ls and cat on <c>docker save</c> archives in the shapes Docker writes.</summary>
[TestFixture(DockerArchiveStyle.Legacy)]
[TestFixture(DockerArchiveStyle.OciLayout)]
public class DockerArchiveCommandTests : EndToEndTest
{
    private readonly DockerArchiveStyle _style;
    private string _file = null!;
    private BuiltImage _image = null!;

    public DockerArchiveCommandTests(DockerArchiveStyle style)
    {
        _style = style;
    }

    [OneTimeSetUp]
    public async Task WriteArchive()
    {
        _file = Path.Combine(Path.GetTempPath(), $"kmm-runner-archive-{Guid.NewGuid():N}.tar");
        _image = new ImageBuilder()
            .WithLabel("stage", "archive")
            .AddLayer(new LayerBuilder().AddFile("opt/lib/modules/6.1.0-56-amd64/extra/tap.ko", RepositoryTestData.Module("tap.ko")).AddFile("opt/a.txt", "a\n"))
            .AddLayer(new LayerBuilder().AddWhiteout("opt/a.txt").AddFile("opt/b.txt", "b\n"))
            .Build();
        await DockerArchiveWriter.WriteAsync(_file, [(_image, ["example.com/drivers/tap:v1"])], _style);
    }

    [OneTimeTearDown]
    public void RemoveArchive() => File.Delete(_file);

    [Test]
    public async Task Inspect_reports_the_manifest_and_labels()
    {
        var run = await RunAsync("inspect", $"docker-archive:{_file}:example.com/drivers/tap:v1");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("layers").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.RootElement.GetProperty("labels").GetProperty("stage").GetString(), Is.EqualTo("archive"));
    }

    [Test]
    public async Task Ls_merges_layers_and_cat_reads_the_module()
    {
        var ls = await RunAsync("ls", $"docker-archive:{_file}", "/opt");
        Assert.That(ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "/opt/b.txt", "/opt/lib" }), ls.ToString());

        var cat = await RunAsync("cat", $"docker-archive:{_file}", "/opt/lib/modules/6.1.0-56-amd64/extra/tap.ko");
        Assert.That(cat.OutBytes, Is.EqualTo(RepositoryTestData.Module("tap.ko")), cat.Error);
        Assert.That(Encoding.UTF8.GetString((await RunAsync("cat", $"docker-archive:{_file}", "/opt/b.txt")).OutBytes), Is.EqualTo("b\n"));
    }

    [Test]
    public async Task A_missing_archive_is_one_line_not_found()
        => AssertOneLineError(await RunAsync("inspect", $"docker-archive:{_file}.missing"), 1, ".missing");
}
