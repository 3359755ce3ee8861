using Kmm.Preflight.Core.Loading;

namespace Kmm.Preflight.Core.Tests.Loading;

/// <summary>YAML merge keys, as kubectl reads them: merged keys fill in, the mapping's own keys and earlier merges win.</summary>
public class YamlMergeKeyTests
{
    private static Model.Module Module(string yaml) => new ManifestLoader().Parse(yaml, "modules.yaml").Modules.Single();

    [Test]
    public void KernelMappingsShareDefaultsThroughMergeKeysAndOverrideThem()
    {
        var module = Module("""
            x-base: &base
              containerImage: quay.io/x/base:$KERNEL_FULL_VERSION
              registryTLS: {insecure: true}
            x-any: &any {regexp: '^6\..*$', containerImage: quay.io/x/any:v1}
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: merged, namespace: ops}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: ptemod}
                  kernelMappings:
                    - <<: *base
                      literal: 6.1.0-56-amd64
                    - <<: [*base, *any]
                    - <<: [*any, *base]
                      containerImage: quay.io/x/own:v1
            """);

        // Own keys win; among merged mappings the first one that has a key gives it.
        var mappings = module.Container!.KernelMappings;
        Assert.That(mappings.Select(m => (m.Literal, m.Regexp, m.ContainerImage, m.RegistryTls?.Insecure)), Is.EqualTo(new (string?, string?, string?, bool?)[]
        {
            ("6.1.0-56-amd64", null, "quay.io/x/base:$KERNEL_FULL_VERSION", true),
            (null, "^6\\..*$", "quay.io/x/base:$KERNEL_FULL_VERSION", true),
            (null, "^6\\..*$", "quay.io/x/own:v1", true),
        }));
    }

    [Test]
    public void MergesChainThroughMergedMappings()
    {
        var module = Module("""
            defaults: &tls {registryTLS: {insecureSkipTLSVerify: true}}
            image: &image {<<: *tls, containerImage: quay.io/x/chained:v1}
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: chained}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: m}
                  kernelMappings:
                    - {<<: *image, literal: 6.1.0-57-amd64}
            """);

        var mapping = module.Container!.KernelMappings.Single();
        Assert.That((mapping.ContainerImage, mapping.RegistryTls?.InsecureSkipTlsVerify), Is.EqualTo(("quay.io/x/chained:v1", (bool?)true)));
    }

    [Test]
    public void QuotedMergeKeyIsAnOrdinaryKey()
    {
        var module = Module("""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: quoted}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: m}
                  "<<": {containerImage: not/merged:v1}
                  kernelMappings: [{literal: 6.1.0-57-amd64, containerImage: quay.io/x/y:v1}]
            """);

        Assert.That(module.Container!.ContainerImage, Is.Null);
    }

    [TestCase("<<: plain text")]
    [TestCase("<<: [{a: 1}, text]")]
    public void MergeOfSomethingElseThanMappingsIsRefusedWithItsPlace(string merge)
    {
        var error = Assert.Throws<ManifestLoadException>(() => Module($$"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata:
              name: bad
              {{merge}}
            spec: {}
            """))!;

        Assert.That(error.Message, Does.Contain("merge key '<<' at line 5").And.Contain("modules.yaml"));
    }
}
