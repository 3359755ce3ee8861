using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Core.Tests.Hostile;

/// <summary>
/// The hostile corpus (tests/testdata/hostile, see its README) through the Core readers: a ManifestLoadException
/// naming the file, or InvalidDataException for modules; never another exception, a crash or unbounded work.
/// </summary>
public sealed class HostileCorpusTests
{
    private const long MiB = 1024 * 1024;
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("kmm-hostile-core-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "manifests" })]
    public async Task A_malformed_manifest_is_a_load_error_naming_the_file(string file)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        try
        {
            var set = await new ManifestLoader().LoadAsync([file]).WaitAsync(TimeSpan.FromMinutes(1));
            // The one case that loads: a List whose only item is an empty List holds no objects.
            Assert.That(Path.GetFileName(file), Is.EqualTo("kind-list-nested-bomb.yaml"));
            Assert.That(set.Modules, Is.Empty);
        }
        catch (ManifestLoadException e)
        {
            Assert.That(e.Message, Does.StartWith(file + ": "));
        }

        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(64 * MiB));
    }

    [Test]
    public void A_million_nested_brackets_are_refused_without_overflowing_the_stack()
    {
        // Regression: YamlDotNet's node tree recursed once a level and the process died (stack overflow).
        var text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + new string('[', 1_000_000) + new string(']', 1_000_000) + "\n";

        Assert.That(() => new ManifestLoader().Parse(text, "deep.yaml"), Throws.TypeOf<ManifestLoadException>().With.Message.Contain("nested more than 128 levels"));
    }

    [Test]
    public void A_manifest_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var file = Path.Combine(_dir, "huge.yaml");
        using (var stream = File.Create(file))
        {
            stream.SetLength(ManifestLoader.MaxFileBytes + 1); // sparse: no disk or memory spent
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.That(async () => await new ManifestLoader().LoadAsync([file]), Throws.TypeOf<ManifestLoadException>().With.Message.Contain("byte limit"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(4 * MiB));
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "elf" })]
    public void A_broken_module_is_invalid_data_or_has_no_vermagic(string file)
    {
        var bytes = File.ReadAllBytes(file);

        if (Path.GetFileName(file) is "modinfo-empty.ko" or "modinfo-no-terminator.ko")
        {
            // Structurally sound ELF: the facts are read, and without a vermagic the Image stage says False.
            Assert.That(ElfModInfoReader.Read(bytes).Vermagic, Is.Null);
        }
        else
        {
            Assert.That(() => ElfModInfoReader.Read(bytes), Throws.TypeOf<InvalidDataException>().With.Message.Not.Empty);
        }

        Assert.That(ModuleSignatureReader.Read(bytes), Is.Null, "none of the ELF cases is signed");
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "signatures" })]
    public void A_corrupt_signature_is_invalid_data_or_read_as_facts_never_another_exception(string file)
    {
        var bytes = File.ReadAllBytes(file);

        try
        {
            // Altered bodies and unknown id types still parse: verification, not reading, says they fail.
            var info = ModuleSignatureReader.Read(bytes);
            Assert.That(info, Is.Not.Null);
        }
        catch (InvalidDataException e)
        {
            Assert.That(e.Message, Is.Not.Empty);
        }
    }
}
