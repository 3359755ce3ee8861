using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Tests.Mapping;

public class KernelMappingResolverTests
{
    private static readonly KernelRelease Kernel = KernelRelease.Parse("6.1.0-56-amd64");

    private static Module ModuleWith(ModuleLoaderContainer container) => new() { Name = "mod-a", Namespace = "ns1", Container = container };

    private static ModuleLoaderContainer Container(params KernelMapping[] mappings) => new()
    {
        Modprobe = new ModprobeSpec { ModuleName = "ptemod" },
        ContainerImage = "quay.io/x/default:${KERNEL_FULL_VERSION}",
        KernelMappings = mappings,
    };

    [Test]
    public void First_matching_mapping_wins()
    {
        var module = ModuleWith(Container(
            new KernelMapping { Literal = "6.1.0-55-amd64", ContainerImage = "r/a:1" },
            new KernelMapping { Regexp = @"^6\.1\.", ContainerImage = "r/b:1" },
            new KernelMapping { Literal = "6.1.0-56-amd64", ContainerImage = "r/c:1" }));
        var resolved = KernelMappingResolver.Resolve(module, Kernel).Mapping!;
        Assert.That((resolved.MappingIndex, resolved.ContainerImage), Is.EqualTo((1, "r/b:1")));
        Assert.That(resolved.Describe(), Is.EqualTo(@"kernelMappings[1] (regexp ^6\.1\.)"));
    }

    [TestCase("6.1.0-56", false)]
    [TestCase("6.1.0-56-amd64", true)]
    [TestCase("6.1.0-56-amd64 ", false)]
    public void Literal_matches_exactly(string literal, bool matches)
    {
        var module = ModuleWith(Container(new KernelMapping { Literal = literal }));
        Assert.That(KernelMappingResolver.Resolve(module, Kernel).Succeeded, Is.EqualTo(matches));
    }

    [TestCase("56", true)]
    [TestCase(@"^6\.1", true)]
    [TestCase(@"amd64$", true)]
    [TestCase(@"^56", false)]
    [TestCase(@"^6\.1\.0-56-amd64$", true)]
    [TestCase(@"^6\.2", false)]
    [TestCase(@"AMD64", false)]
    public void Regexp_is_unanchored(string regexp, bool matches)
    {
        var module = ModuleWith(Container(new KernelMapping { Regexp = regexp }));
        Assert.That(KernelMappingResolver.Resolve(module, Kernel).Succeeded, Is.EqualTo(matches));
    }

    [Test]
    public void No_match_gives_an_actionable_reason()
    {
        var module = ModuleWith(Container(new KernelMapping { Literal = "5.14.0-1" }));
        var resolution = KernelMappingResolver.Resolve(module, Kernel);
        Assert.That(resolution.FailureReason, Is.EqualTo("no kernel mapping of Module ns1/mod-a matches kernel 6.1.0-56-amd64; add a kernelMappings entry (literal or regexp) for it"));
    }

    [Test]
    public void Invalid_regexp_gives_a_reason_not_a_crash()
    {
        var module = ModuleWith(Container(new KernelMapping { Regexp = "^(6" }));
        var resolution = KernelMappingResolver.Resolve(module, Kernel);
        Assert.That(resolution.FailureReason, Does.StartWith("kernelMappings[0].regexp '^(6' of Module ns1/mod-a is not a valid regular expression"));
    }

    [Test]
    public void Image_and_tls_inherit_from_the_container()
    {
        var container = Container(new KernelMapping { Literal = Kernel.Full }) with { RegistryTls = new RegistryTls(Insecure: true) };
        var resolved = KernelMappingResolver.Resolve(ModuleWith(container), Kernel).Mapping!;
        Assert.That(resolved.ContainerImage, Is.EqualTo("quay.io/x/default:6.1.0-56-amd64"));
        Assert.That(resolved.RegistryTls, Is.EqualTo(new RegistryTls(Insecure: true)));

        var mappingTls = new RegistryTls(InsecureSkipTlsVerify: true);
        var own = Container(new KernelMapping { Literal = Kernel.Full, ContainerImage = "r/own:1", RegistryTls = mappingTls }) with { RegistryTls = new RegistryTls(Insecure: true) };
        var ownResolved = KernelMappingResolver.Resolve(ModuleWith(own), Kernel).Mapping!;
        Assert.That((ownResolved.ContainerImage, ownResolved.RegistryTls), Is.EqualTo(("r/own:1", mappingTls)));
    }

    [Test]
    public void Variables_in_container_image_use_the_normalised_kernel_and_module()
    {
        var rt = KernelRelease.Parse("5.14.0-284.el9.x86_64+rt");
        var container = Container(new KernelMapping { Regexp = ".", ContainerImage = "r/$MOD_NAMESPACE/${MOD_NAME}:${KERNEL_FULL_VERSION}-$KERNEL_XYZ-${KERNEL_X}.${KERNEL_Y}.$KERNEL_Z-$KERNEL_VERSION" });
        var resolved = KernelMappingResolver.Resolve(ModuleWith(container), rt).Mapping!;
        Assert.That(resolved.ContainerImage, Is.EqualTo("r/ns1/mod-a:5.14.0-284.el9.x86_64_rt-5.14.0-5.14.0-5.14.0-284.el9.x86_64_rt"));
    }

    [Test]
    public void Sign_variables_unsigned_image_normalised_without_module_files_raw()
    {
        var rt = KernelRelease.Parse("5.14.0-284.el9.x86_64+rt");
        var container = Container(new KernelMapping
        {
            Regexp = ".",
            Sign = new SignSpec { UnsignedImage = "r/u:${KERNEL_FULL_VERSION}$MOD_NAME", FilesToSign = ["/opt/lib/modules/${KERNEL_FULL_VERSION}/m.ko"] },
        });
        var sign = KernelMappingResolver.Resolve(ModuleWith(container), rt).Mapping!.Sign!;
        Assert.That(sign.UnsignedImage, Is.EqualTo("r/u:5.14.0-284.el9.x86_64_rt"));
        Assert.That(sign.FilesToSign, Is.EqualTo(new[] { "/opt/lib/modules/5.14.0-284.el9.x86_64+rt/m.ko" }));
    }

    [Test]
    public void Unclosed_variable_gives_a_reason()
    {
        var container = Container(new KernelMapping { Literal = Kernel.Full, ContainerImage = "r/a:${KERNEL_FULL_VERSION" });
        var resolution = KernelMappingResolver.Resolve(ModuleWith(container), Kernel);
        Assert.That(resolution.FailureReason, Does.StartWith("kernelMappings[0] of Module ns1/mod-a has invalid variable syntax: 'r/a:${KERNEL_FULL_VERSION': unclosed '${'"));
    }

    [Test]
    public void Build_merge_rules()
    {
        var containerBuild = new BuildSpec
        {
            DockerfileConfigMap = "cdf",
            BuildArgs = [new("A", "1"), new("B", "2")],
            Secrets = ["s1"],
            BaseImageRegistryTls = new RegistryTls(Insecure: true),
        };
        var mappingBuild = new BuildSpec { DockerfileConfigMap = "mdf", BuildArgs = [new("B", "20"), new("C", "3")], Secrets = ["s2"] };
        var merged = KernelMappingResolver.MergeBuild(containerBuild, mappingBuild)!;
        Assert.Multiple(() =>
        {
            Assert.That(merged.DockerfileConfigMap, Is.EqualTo("mdf"));
            Assert.That(merged.BuildArgs, Is.EqualTo(new BuildArg[] { new("A", "1"), new("B", "20"), new("C", "3") }));
            Assert.That(merged.Secrets, Is.EqualTo(new[] { "s1", "s2" }));
            Assert.That(merged.BaseImageRegistryTls, Is.EqualTo(new RegistryTls(Insecure: true)));
            Assert.That(KernelMappingResolver.MergeBuild(containerBuild, null), Is.SameAs(containerBuild));
            Assert.That(KernelMappingResolver.MergeBuild(null, mappingBuild), Is.SameAs(mappingBuild));
            Assert.That(KernelMappingResolver.MergeBuild(containerBuild, new BuildSpec())!.DockerfileConfigMap, Is.EqualTo("cdf"));
        });
    }

    [Test]
    public void Sign_merge_rules()
    {
        var containerSign = new SignSpec { UnsignedImage = "r/c", KeySecret = "ck", CertSecret = "cc", FilesToSign = ["/a"] };
        var mappingSign = new SignSpec { KeySecret = "mk", FilesToSign = ["/b"] };
        var merged = KernelMappingResolver.MergeSign(containerSign, mappingSign)!;
        Assert.That((merged.UnsignedImage, merged.KeySecret, merged.CertSecret), Is.EqualTo(("r/c", "mk", "cc")));
        Assert.That(merged.FilesToSign, Is.EqualTo(new[] { "/a", "/b" }));
        Assert.That(KernelMappingResolver.MergeSign(null, mappingSign), Is.SameAs(mappingSign));
    }

    [Test]
    public void InTreeModulesToRemove_mapping_overrides_container()
    {
        var container = Container(new KernelMapping { Literal = Kernel.Full }) with { InTreeModulesToRemove = ["a"] };
        Assert.That(KernelMappingResolver.Resolve(ModuleWith(container), Kernel).Mapping!.InTreeModulesToRemove, Is.EqualTo(new[] { "a" }));
        var overridden = Container(new KernelMapping { Literal = Kernel.Full, InTreeModulesToRemove = ["b", "c"] }) with { InTreeModulesToRemove = ["a"] };
        Assert.That(KernelMappingResolver.Resolve(ModuleWith(overridden), Kernel).Mapping!.InTreeModulesToRemove, Is.EqualTo(new[] { "b", "c" }));
    }

    [Test]
    public void Build_arguments_add_kmm_values_overriding_user_ones()
    {
        var container = Container(new KernelMapping
        {
            Literal = Kernel.Full,
            Build = new BuildSpec { BuildArgs = [new("KERNEL_VERSION", "user"), new("X", "$KERNEL_FULL_VERSION"), new("MOD_NAME", "user")] },
        });
        var mapping = KernelMappingResolver.Resolve(ModuleWith(container), Kernel).Mapping!;
        var withDtk = BuildArguments.Compose(mapping, "ARG DTK_AUTO\nFROM ${DTK_AUTO}", "quay.io/dtk@sha256:1");
        Assert.That(withDtk, Is.EqualTo(new BuildArg[]
        {
            new("X", "$KERNEL_FULL_VERSION"),
            new("KERNEL_VERSION", "6.1.0-56-amd64"),
            new("KERNEL_FULL_VERSION", "6.1.0-56-amd64"),
            new("MOD_NAME", "mod-a"),
            new("MOD_NAMESPACE", "ns1"),
            new("DTK_AUTO", "quay.io/dtk@sha256:1"),
        }));
        Assert.That(BuildArguments.Compose(mapping, "FROM scratch", "quay.io/dtk@sha256:1").Select(a => a.Name), Does.Not.Contain("DTK_AUTO"));
        Assert.That(BuildArguments.Compose(mapping, "ARG DTK_AUTO", null).Select(a => a.Name), Does.Not.Contain("DTK_AUTO"));
    }
}
