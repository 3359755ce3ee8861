using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Modules;

public class ModulesDepTests
{
    private DirectoryInfo _base = null!;

    private string KernelDirectory => Path.Combine(_base.FullName, "lib", "modules", CoreTestData.Kernel);

    [OneTimeSetUp]
    public void Depmod()
    {
        _base = Directory.CreateTempSubdirectory("kmm-core-depmod-");
        var net = Path.Combine(KernelDirectory, "kernel", "drivers", "net");
        Directory.CreateDirectory(net);
        foreach (var name in CoreTestData.ModuleNames)
        {
            File.Copy(CoreTestData.ModulePath(name), Path.Combine(net, name + ".ko"));
        }

        Tool.Run("depmod", "-b", _base.FullName, CoreTestData.Kernel);
    }

    [OneTimeTearDown]
    public void Clean() => _base.Delete(true);

    [Test]
    public void Text_format_lists_every_module_with_relative_paths_and_dependencies()
    {
        var dep = ModulesDep.ParseText(File.ReadAllText(Path.Combine(KernelDirectory, "modules.dep")));
        Assert.That(dep.Entries.Keys.Order(), Is.EqualTo(CoreTestData.ModuleNames.Order()));
        var macvtap = dep.Find("macvtap")!;
        Assert.That(macvtap.Path, Is.EqualTo("kernel/drivers/net/macvtap.ko"));
        Assert.That(macvtap.Dependencies, Is.EquivalentTo(new[] { "kernel/drivers/net/tap.ko", "kernel/drivers/net/macvlan.ko" }));
        Assert.That(dep.Find("net-failover")!.Dependencies, Is.EqualTo(new[] { "kernel/drivers/net/failover.ko" }));
        Assert.That(dep.Find("dummy")!.Dependencies, Is.Empty);
        Assert.That(dep.Find("absent"), Is.Null);
    }

    [Test]
    public void Binary_format_gives_the_same_entries_as_text()
    {
        var bin = File.ReadAllBytes(Path.Combine(KernelDirectory, "modules.dep.bin"));
        var fromBin = ModulesDep.Parse(bin);
        var fromText = ModulesDep.Parse(File.ReadAllBytes(Path.Combine(KernelDirectory, "modules.dep")));
        Assert.That(fromBin.Entries.Keys.Order(), Is.EqualTo(fromText.Entries.Keys.Order()));
        foreach (var (name, entry) in fromText.Entries)
        {
            Assert.That(fromBin.Entries[name].Path, Is.EqualTo(entry.Path), name);
            Assert.That(fromBin.Entries[name].Dependencies, Is.EquivalentTo(entry.Dependencies), name);
        }
    }

    [Test]
    public void Old_absolute_paths_are_accepted()
    {
        var dep = ModulesDep.ParseText("/lib/modules/2.6.32/kernel/foo.ko: /lib/modules/2.6.32/kernel/bar.ko\n/lib/modules/2.6.32/kernel/bar.ko:\n");
        Assert.That(dep.Find("foo")!.Path, Is.EqualTo("/lib/modules/2.6.32/kernel/foo.ko"));
    }

    [Test]
    public void Malformed_inputs_are_invalid_data()
    {
        Assert.That(() => ModulesDep.ParseText("kernel/foo.ko bar\n"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("modules.dep line 1"));
        Assert.That(() => ModulesDep.ParseText("kernel/foo.txt:\n"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("is not a module file"));
        var bin = File.ReadAllBytes(Path.Combine(KernelDirectory, "modules.dep.bin"));
        Assert.That(() => ModulesDep.ParseBinary(bin.AsSpan(0, 20).ToArray()), Throws.InstanceOf<InvalidDataException>());
        var badVersion = (byte[])bin.Clone();
        badVersion[5] = 9;
        Assert.That(() => ModulesDep.ParseBinary(badVersion), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("version"));
        Assert.That(() => ModulesDep.ParseBinary(new byte[12]), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("bad magic"));
    }
}
