using System.Diagnostics;
using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Core.Tests.Loading;

/// <summary>
/// YAML anchors and aliases (<see cref="YamlAliasExpansion"/>): ordinary reuse loads; aliases that expand past the
/// bound, name a later anchor or close a cycle are refused with a load error naming the file, quickly.
/// </summary>
public sealed class YamlAliasTests
{
    // Generous: each case is refused in milliseconds; before the guard the fuzz input took about 12 s.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(5);

    private const string ConfigMapHead = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n";

    [Test]
    public void A_module_reusing_values_through_a_few_anchors_loads()
    {
        const string Text = """
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata:
              name: foo
              namespace: kmm-ops
            spec:
              moduleLoader:
                container:
                  modprobe:
                    moduleName: &name ptemod
                    modulesLoadingOrder: [*name, dep]
                  kernelMappings:
                    - literal: 6.1.0-56-amd64
                      containerImage: &image quay.io/x/y:${KERNEL_FULL_VERSION}
                      registryTLS: &tls {insecure: true}
                    - regexp: '^.+$'
                      containerImage: *image
                      registryTLS: *tls
            """;

        var container = new ManifestLoader().Parse(Text, "anchors.yaml").Modules.Single().Container!;

        Assert.Multiple(() =>
        {
            Assert.That(container.Modprobe.ModulesLoadingOrder, Is.EqualTo(new[] { "ptemod", "dep" }));
            Assert.That(container.KernelMappings.Select(m => m.ContainerImage), Is.EqualTo(new[] { "quay.io/x/y:${KERNEL_FULL_VERSION}", "quay.io/x/y:${KERNEL_FULL_VERSION}" }));
            Assert.That(container.KernelMappings[1].RegistryTls, Is.EqualTo(container.KernelMappings[0].RegistryTls));
            Assert.That(container.KernelMappings[1].RegistryTls!.Insecure, Is.True);
        });
    }

    [Test]
    public void The_fuzz_input_with_alias_chains_read_as_mapping_keys_is_refused_quickly()
    {
        // afl++ finding: YamlDotNet read the mutated tail as sequences used as mapping keys and hashed each key over
        // its whole expansion (about 12 s). Its first alias names no anchor (`]***…` reads as the alias `*…`).
        var file = Path.Combine(HostileCorpus.Root, "manifests", "fuzz-alias-chain-as-keys.yaml");

        var error = RefusalOf(File.ReadAllText(file), file);

        Assert.That(error.Message, Does.StartWith(file + ": ").And.Contain("names no anchor defined before it"));
    }

    [Test]
    public void A_billion_laughs_chain_used_as_a_mapping_key_is_refused_quickly()
    {
        // Valid YAML reaching the same slow path: `? *a9` makes YamlDotNet hash 9^9 nodes.
        var text = Laughs(levels: 10) + "  ? *a9\n  : x\n";

        var error = RefusalOf(text, "key-bomb.yaml");

        Assert.That(error.Message, Does.StartWith("key-bomb.yaml: ").And.Contain("more than 1,000,000 nodes").And.Contain("alias bomb"));
    }

    [Test]
    public void Aliases_may_add_exactly_the_bound_and_no_node_more()
    {
        // An anchored list of 1,000 nodes (itself and 999 items) aliased 1,000 times adds 1,000,000 nodes.
        var list = "[" + string.Join(", ", Enumerable.Repeat("v", 999)) + "]";
        string Text(int aliases) => ConfigMapHead + $"extra:\n  list: &l {list}\n  uses: [" + string.Join(", ", Enumerable.Repeat("*l", aliases)) + "]\n";

        Assert.That(new ManifestLoader().Parse(Text(1000), "at-bound.yaml").ConfigMaps, Has.Count.EqualTo(1));
        Assert.That(RefusalOf(Text(1001), "over-bound.yaml").Message, Does.Contain("more than 1,000,000 nodes"));
    }

    [Test]
    public void The_bound_covers_the_whole_file_not_each_document()
    {
        // 200 documents each adding 10,000 alias nodes: small bombs must not add up past the bound.
        var document = "---\n" + ConfigMapHead + "extra:\n  a: &a [" + string.Join(", ", Enumerable.Repeat("v", 99)) + "]\n  b: [" + string.Join(", ", Enumerable.Repeat("*a", 100)) + "]\n";
        var text = string.Concat(Enumerable.Repeat(document, 200));

        Assert.That(new ManifestLoader().Parse(string.Concat(Enumerable.Repeat(document, 100)), "hundred.yaml").ConfigMaps, Has.Count.EqualTo(100));
        Assert.That(RefusalOf(text, "many.yaml").Message, Does.Contain("more than 1,000,000 nodes"));
    }

    [Test]
    public void An_alias_inside_the_node_it_names_is_refused_as_a_cycle()
    {
        // YamlDotNet registers an anchor before reading the node's content, so this List contained itself: reading
        // its items recursed until the stack overflowed and the process died.
        const string Text = "apiVersion: v1\nkind: List\nitems: &i [{apiVersion: v1, kind: List, items: *i}]\n";

        Assert.That(RefusalOf(Text, "cycle.yaml").Message, Does.Contain("alias *i at line 3").And.Contain("a cycle"));
    }

    [Test]
    public void An_alias_before_its_anchor_is_refused()
    {
        // YamlDotNet would resolve it at the end of the document, which can close a cycle the other way round.
        const string Text = ConfigMapHead + "data:\n  a: *later\n  b: &later x\n";

        Assert.That(RefusalOf(Text, "forward.yaml").Message, Does.Contain("alias *later at line 5").And.Contain("names no anchor defined before it"));
    }

    [Test]
    public void An_anchor_named_again_counts_as_its_latest_node()
    {
        // Redefining an anchor is allowed; aliases after it name the small node, so this stays within the bound.
        var text = ConfigMapHead + Laughs(levels: 6, indent: "  ", head: "extra:\n") + "  again: &a5 small\n  uses: [" + string.Join(", ", Enumerable.Repeat("*a5", 2000)) + "]\n";

        Assert.That(new ManifestLoader().Parse(text, "redefined.yaml").ConfigMaps, Has.Count.EqualTo(1));
    }

    // A billion-laughs chain: level 0 is nine scalars, each further level nine aliases of the one before.
    private static string Laughs(int levels, string indent = "  ", string? head = null)
    {
        var text = new StringBuilder(head ?? "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata: {name: x}\nspec:\n");
        text.Append(indent).Append("lol0: &a0 [").AppendJoin(", ", Enumerable.Repeat("lol", 9)).Append("]\n");
        for (var i = 1; i < levels; i++)
        {
            text.Append(indent).Append($"lol{i}: &a{i} [").AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 9)).Append("]\n");
        }

        return text.ToString();
    }

    private static ManifestLoadException RefusalOf(string text, string sourceName)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ManifestLoadException>(() => new ManifestLoader().Parse(text, sourceName))!;
        Assert.That(clock.Elapsed, Is.LessThan(Quickly), "refused, but not quickly");
        return error;
    }
}
