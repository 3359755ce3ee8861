using System.Text;
using Kmm.Preflight.Core.Loading;

namespace Kmm.Preflight.Core.Tests.Loading;

public class ManifestLoaderTests
{
    private const string ModuleYaml = """
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata:
          name: foo
          namespace: kmm-ops
        spec:
          imageRepoSecret:
            name: pull
          unknownField: ignored
          moduleLoader:
            container:
              modprobe:
                moduleName: ptemod
                firmwarePath: /firmware
                parameters: [a=1]
                modulesLoadingOrder: [ptemod, dep]
                args:
                  load: [-v]
              containerImage: quay.io/x/y:${KERNEL_FULL_VERSION}
              registryTLS:
                insecure: true
              inTreeModuleToRemove: old
              kernelMappings:
                - literal: 6.1.0-56-amd64
                - regexp: '^.+$'
                  containerImage: quay.io/x/z:$KERNEL_XYZ
                  registryTLS:
                    insecureSkipTLSVerify: true
                  build:
                    dockerfileConfigMap:
                      name: df
                    buildArgs:
                      - name: A
                        value: b
                    secrets:
                      - name: s1
                  sign:
                    unsignedImage: quay.io/x/u:$KERNEL_FULL_VERSION
                    keySecret: {name: key}
                    certSecret: {name: cert}
                    filesToSign: [/opt/lib/modules/$KERNEL_FULL_VERSION/ptemod.ko]
        """;

    private static ObjectSet Parse(string text, string file = "modules.yaml") => new ManifestLoader().Parse(text, file);

    private static ManifestLoadException ParseError(string text, string file = "modules.yaml")
        => Assert.Throws<ManifestLoadException>(() => Parse(text, file))!;

    [Test]
    public void Module_all_fields_are_read()
    {
        var module = Parse(ModuleYaml).Modules.Single();
        var c = module.Container!;
        Assert.Multiple(() =>
        {
            Assert.That(module.Name, Is.EqualTo("foo"));
            Assert.That(module.Namespace, Is.EqualTo("kmm-ops"));
            Assert.That(module.ImageRepoSecret, Is.EqualTo("pull"));
            Assert.That(c.Modprobe.ModuleName, Is.EqualTo("ptemod"));
            Assert.That(c.Modprobe.DirName, Is.EqualTo("/opt"));
            Assert.That(c.Modprobe.FirmwarePath, Is.EqualTo("/firmware"));
            Assert.That(c.Modprobe.Parameters, Is.EqualTo(new[] { "a=1" }));
            Assert.That(c.Modprobe.ModulesLoadingOrder, Is.EqualTo(new[] { "ptemod", "dep" }));
            Assert.That(c.Modprobe.Args!.Load, Is.EqualTo(new[] { "-v" }));
            Assert.That(c.ContainerImage, Is.EqualTo("quay.io/x/y:${KERNEL_FULL_VERSION}"));
            Assert.That(c.RegistryTls, Is.EqualTo(new Model.RegistryTls(true, false)));
            Assert.That(c.InTreeModulesToRemove, Is.EqualTo(new[] { "old" }));
            Assert.That(c.KernelMappings, Has.Count.EqualTo(2));
            Assert.That(c.KernelMappings[0].Literal, Is.EqualTo("6.1.0-56-amd64"));
            Assert.That(c.KernelMappings[1].Regexp, Is.EqualTo("^.+$"));
            Assert.That(c.KernelMappings[1].RegistryTls, Is.EqualTo(new Model.RegistryTls(false, true)));
            Assert.That(c.KernelMappings[1].Build!.DockerfileConfigMap, Is.EqualTo("df"));
            Assert.That(c.KernelMappings[1].Build!.BuildArgs, Is.EqualTo(new[] { new Model.BuildArg("A", "b") }));
            Assert.That(c.KernelMappings[1].Build!.Secrets, Is.EqualTo(new[] { "s1" }));
            Assert.That(c.KernelMappings[1].Sign!.KeySecret, Is.EqualTo("key"));
            Assert.That(c.KernelMappings[1].Sign!.CertSecret, Is.EqualTo("cert"));
            Assert.That(c.KernelMappings[1].Sign!.FilesToSign, Has.Count.EqualTo(1));
            Assert.That(module.SourceFile, Is.EqualTo("modules.yaml"));
        });
    }

    [Test]
    public void Defaults_namespace_and_dirName()
    {
        var module = Parse("""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: m}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: m}
                  containerImage: r/m:1
                  kernelMappings: [{literal: 1.2.3}]
            """).Modules.Single();
        Assert.That((module.Namespace, module.Container!.Modprobe.DirName), Is.EqualTo(("default", "/opt")));
    }

    [Test]
    public void Module_without_moduleLoader_has_no_container()
    {
        var module = Parse("apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata: {name: m}\nspec: {selector: {a: b}}\n").Modules.Single();
        Assert.That(module.Container, Is.Null);
    }

    [Test]
    public void Mapping_with_both_literal_and_regexp_names_file_object_and_field()
    {
        var text = ModuleYaml.Replace("        - regexp: '^.+$'", "        - regexp: '^.+$'\n          literal: abc", StringComparison.Ordinal);
        var ex = ParseError(text);
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: Module kmm-ops/foo: spec.moduleLoader.container.kernelMappings[1]: must have exactly one of literal or regexp"));
        Assert.That((ex.File, ex.ObjectId?.Name, ex.FieldPath), Is.EqualTo(("modules.yaml", "foo", "spec.moduleLoader.container.kernelMappings[1]")));
    }

    [Test]
    public void Mapping_with_neither_literal_nor_regexp_is_an_error()
    {
        var ex = ParseError(ModuleYaml.Replace("- literal: 6.1.0-56-amd64", "- containerImage: a/b:c", StringComparison.Ordinal));
        Assert.That(ex.Message, Does.EndWith("spec.moduleLoader.container.kernelMappings[0]: must have exactly one of literal or regexp"));
    }

    [Test]
    public void Invalid_regexp_is_an_error_naming_the_field()
    {
        var ex = ParseError(ModuleYaml.Replace("'^.+$'", "'^(6.1$'", StringComparison.Ordinal));
        Assert.That(ex.Message, Does.StartWith("modules.yaml: Module kmm-ops/foo: spec.moduleLoader.container.kernelMappings[1].regexp: '^(6.1$' is not a valid regular expression"));
    }

    [TestCase("insecure: true", "insecure: \"yes\"", "spec.moduleLoader.container.registryTLS.insecure: must be a boolean (true or false), not the string \"yes\"")]
    [TestCase("moduleName: ptemod", "moduleName: [a, b]", "spec.moduleLoader.container.modprobe.moduleName: must be a string, not a list")]
    [TestCase("moduleName: ptemod", "moduleName: 42", "spec.moduleLoader.container.modprobe.moduleName: must be a string, not 42 (quote it)")]
    [TestCase("parameters: [a=1]", "parameters: a=1", "spec.moduleLoader.container.modprobe.parameters: must be a list, not a=1")]
    [TestCase("parameters: [a=1]", "parameters: [{a: 1}]", "spec.moduleLoader.container.modprobe.parameters[0]: must be a string, not a object")]
    [TestCase("    name: pull", "    name: {x: 1}", "spec.imageRepoSecret.name: must be a string, not a object")]
    [TestCase("moduleName: ptemod", "moduleName: ''", "spec.moduleLoader.container.modprobe.moduleName: is required")]
    public void Wrong_types_name_the_field(string from, string to, string expected)
    {
        var ex = ParseError(ModuleYaml.Replace(from, to, StringComparison.Ordinal));
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: Module kmm-ops/foo: " + expected));
    }

    [Test]
    public void Mapping_without_any_image_is_an_error()
    {
        var ex = ParseError(ModuleYaml.Replace("      containerImage: quay.io/x/y:${KERNEL_FULL_VERSION}\n", string.Empty, StringComparison.Ordinal));
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: Module kmm-ops/foo: spec.moduleLoader.container.kernelMappings[0].containerImage: must be set here or in spec.moduleLoader.container.containerImage"));
    }

    [Test]
    public void Wrong_api_group_for_a_kmm_kind_is_an_error()
    {
        var ex = ParseError(ModuleYaml.Replace("kmm.sigs.x-k8s.io/v1beta1", "example.com/v1", StringComparison.Ordinal));
        Assert.That(ex.Message, Does.StartWith("modules.yaml: Module kmm-ops/foo: apiVersion: 'example.com/v1' is not in API group kmm.sigs.x-k8s.io"));
    }

    [Test]
    public void Unsupported_version_is_an_error()
    {
        var ex = ParseError(ModuleYaml.Replace("kmm.sigs.x-k8s.io/v1beta1", "kmm.sigs.x-k8s.io/v1alpha9", StringComparison.Ordinal));
        Assert.That(ex.Message, Does.Contain("apiVersion: version 'v1alpha9' of Module is not supported"));
    }

    [Test]
    public void Multi_document_yaml_with_other_kinds()
    {
        var set = Parse(ModuleYaml + """

            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec: {replicas: [not, checked]}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: pull, namespace: kmm-ops}
            type: kubernetes.io/dockerconfigjson
            data:
              .dockerconfigjson: eyJhdXRocyI6e319
              a: YQ==
            stringData:
              a: plain
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: df, namespace: kmm-ops}
            data:
              dockerfile: FROM scratch
            ---
            """);
        Assert.Multiple(() =>
        {
            Assert.That(set.Modules, Has.Count.EqualTo(1));
            var secret = set.FindSecret("kmm-ops", "pull")!;
            Assert.That(secret.Type, Is.EqualTo("kubernetes.io/dockerconfigjson"));
            Assert.That(Encoding.UTF8.GetString(secret.Data[".dockerconfigjson"]), Is.EqualTo("{\"auths\":{}}"));
            Assert.That(Encoding.UTF8.GetString(secret.Data["a"]), Is.EqualTo("plain"), "stringData overrides data");
            Assert.That(secret.ToString(), Does.Not.Contain("auths"));
            Assert.That(set.FindConfigMap("kmm-ops", "df")!.Data["dockerfile"], Is.EqualTo("FROM scratch"));
            Assert.That(set.FindSecret("default", "pull"), Is.Null);
        });
    }

    private sealed class CapturingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }

    [Test]
    public void Unrelated_kinds_are_skipped_with_a_debug_log()
    {
        var logger = new CapturingLogger();
        var set = new ManifestLoader(logger).Parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\nspec: {replicas: [1]}\n---\napiVersion: v2\nkind: Secret\nmetadata: {name: s}\n", "other.yaml");
        Assert.That(set.Modules.Count + set.Secrets.Count, Is.Zero);
        Assert.That(logger.Entries.Select(e => e.Level), Is.All.EqualTo(Microsoft.Extensions.Logging.LogLevel.Debug));
        Assert.That(logger.Entries.Select(e => e.Message), Is.EqualTo(new[]
        {
            "other.yaml: skipping apps/v1 Deployment x/d: not a kind preflight reads",
            "other.yaml: skipping v2 Secret default/s: not a kind preflight reads",
        }));
    }

    [Test]
    public void Object_without_api_version_is_an_error_naming_file_document_and_kind_not_skipped()
    {
        var ex = ParseError(ModuleYaml + "\n---\nkind: Secret\nmetadata: {name: pull, namespace: kmm-ops}\nstringData: {a: b}\n", "all.yaml");

        Assert.That(ex.Message, Is.EqualTo("all.yaml: Secret kmm-ops/pull: apiVersion: is required (document 2)"));
        Assert.That(ex.File, Is.EqualTo("all.yaml"));
        Assert.That(ex.ObjectId!.Kind, Is.EqualTo("Secret"));
        Assert.That(ex.FieldPath, Is.EqualTo("apiVersion"));
    }

    [TestCase("kind: Deployment\nmetadata: {name: d}\n", "modules.yaml: Deployment default/d: apiVersion: is required (document 1)")]
    [TestCase("kind: Module\nmetadata: {name: m}\nspec: {}\n", "modules.yaml: Module default/m: apiVersion: is required (document 1)")]
    [TestCase("apiVersion: ''\nkind: ConfigMap\nmetadata: {name: c}\n", "modules.yaml: ConfigMap default/c: apiVersion: is required (document 1)")]
    [TestCase("kind: List\nitems: []\n", "modules.yaml: List default/(unnamed): apiVersion: is required (document 1)")]
    [TestCase("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n- {kind: ConfigMap, metadata: {name: c}}\n",
        "modules.yaml: ConfigMap default/c: items[1].apiVersion: is required (document 1)")]
    public void Any_kind_without_api_version_is_an_error(string yaml, string expected)
        => Assert.That(ParseError(yaml).Message, Is.EqualTo(expected));

    [Test]
    public void Bad_base64_in_secret_data_names_the_key()
    {
        var ex = ParseError("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: '%%%'}\n", "s.yaml");
        Assert.That(ex.Message, Is.EqualTo("s.yaml: Secret default/s: data.k: is not valid base64 (use stringData for plain text)"));
    }

    [Test]
    public void Kubectl_list_is_expanded_and_errors_name_the_item()
    {
        var set = Parse("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: kmm.sigs.x-k8s.io/v1beta1
              kind: Module
              metadata: {name: a, namespace: n1}
              spec: {}
            - apiVersion: kmm.sigs.x-k8s.io/v1beta2
              kind: PreflightValidation
              metadata: {name: pv}
              spec: {kernelVersion: 6.1.0-56-amd64, pushBuiltImage: true}
            """);
        Assert.That(set.Modules.Single().Namespace, Is.EqualTo("n1"));
        Assert.That(set.PreflightValidations.Single().KernelVersion, Is.EqualTo("6.1.0-56-amd64"));
        Assert.That(set.PreflightValidations.Single().PushBuiltImage, Is.True);

        var ex = ParseError("apiVersion: v1\nkind: List\nitems:\n- 5\n");
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: items[0]: must be an object with apiVersion and kind"));
    }

    [Test]
    public void Json_single_object_and_list()
    {
        var json = """
            {"apiVersion": "kmm.sigs.x-k8s.io/v1beta1", "kind": "Module", "metadata": {"name": "j"},
             "spec": {"moduleLoader": {"container": {"modprobe": {"moduleName": "m", "dirName": "/srv"},
             "registryTLS": {"insecure": true},
             "kernelMappings": [{"literal": "1.2.3", "containerImage": "r/m:1"}]}}}}
            """;
        var module = Parse(json, "m.json").Modules.Single();
        Assert.That(module.Container!.Modprobe.DirName, Is.EqualTo("/srv"));
        Assert.That(module.Container.RegistryTls!.Insecure, Is.True);

        var list = Parse("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + json + "," + json.Replace("\"j\"", "\"k\"", StringComparison.Ordinal) + "]}", "l.json");
        Assert.That(list.Modules.Select(m => m.Name), Is.EqualTo(new[] { "j", "k" }));

        var ex = ParseError(json.Replace("\"insecure\": true", "\"insecure\": \"true\"", StringComparison.Ordinal), "m.json");
        Assert.That(ex.Message, Is.EqualTo("m.json: Module default/j: spec.moduleLoader.container.registryTLS.insecure: must be a boolean (true or false), not the string \"true\""));
    }

    [Test]
    public void Malformed_yaml_and_json_name_the_file_and_position()
    {
        Assert.That(ParseError("a: [1, 2\nb: c\n", "bad.yaml").Message, Does.StartWith("bad.yaml: invalid YAML"));
        Assert.That(ParseError("{\"a\": }", "bad.json").Message, Does.StartWith("bad.json: invalid JSON at line 1"));
    }

    [Test]
    public void Missing_name_and_kind_are_errors()
    {
        Assert.That(ParseError("apiVersion: v1\nmetadata: {name: x}\n").Message, Is.EqualTo("modules.yaml: kind: is required (document 1)"));
        Assert.That(ParseError("apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nspec: {}\n").Message,
            Is.EqualTo("modules.yaml: Module default/(unnamed): metadata.name: is required"));
    }

    [Test]
    public void PreflightValidationOCP_both_shapes()
    {
        var set = Parse("""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: PreflightValidationOCP
            metadata: {name: old}
            spec: {releaseImage: quay.io/openshift-release-dev/ocp-release@sha256:0000000000000000000000000000000000000000000000000000000000000000, useRTKernel: true}
            ---
            apiVersion: kmm.sigs.x-k8s.io/v1beta2
            kind: PreflightValidationOCP
            metadata: {name: new}
            spec: {kernelVersion: 5.14.0-284.el9.x86_64, dtkImage: quay.io/dtk@sha256:1111111111111111111111111111111111111111111111111111111111111111, pushBuiltImage: true}
            """);
        var old = set.PreflightValidationsOcp[0];
        var @new = set.PreflightValidationsOcp[1];
        Assert.Multiple(() =>
        {
            Assert.That(old.ReleaseImage, Does.StartWith("quay.io/openshift-release-dev/"));
            Assert.That(old.UseRtKernel, Is.True);
            Assert.That(old.KernelVersion, Is.Null);
            Assert.That(@new.KernelVersion, Is.EqualTo("5.14.0-284.el9.x86_64"));
            Assert.That(@new.DtkImage, Does.StartWith("quay.io/dtk@"));
            Assert.That(@new.PushBuiltImage, Is.True);
            Assert.That(@new.ApiVersion, Is.EqualTo("kmm.sigs.x-k8s.io/v1beta2"));
        });

        var ex = ParseError("apiVersion: kmm.sigs.x-k8s.io/v1beta2\nkind: PreflightValidationOCP\nmetadata: {name: e}\nspec: {pushBuiltImage: false}\n");
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: PreflightValidationOCP default/e: spec: must set releaseImage (older shape) or kernelVersion (newer shape)"));
    }

    [Test]
    public void PreflightValidation_requires_kernelVersion()
    {
        var ex = ParseError("apiVersion: kmm.sigs.x-k8s.io/v1beta2\nkind: PreflightValidation\nmetadata: {name: p}\nspec: {}\n");
        Assert.That(ex.Message, Is.EqualTo("modules.yaml: PreflightValidation default/p: spec.kernelVersion: is required"));
    }

    [Test]
    public async Task Directories_are_read_recursively_for_yaml_yml_and_json_only()
    {
        var dir = Directory.CreateTempSubdirectory("kmm-core-load-");
        try
        {
            var one = "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata: {name: NAME}\nspec: {}\n";
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "a.yaml"), one.Replace("NAME", "a", StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "sub", "b.yml"), one.Replace("NAME", "b", StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "c.json"), "{\"apiVersion\":\"kmm.sigs.x-k8s.io/v1beta1\",\"kind\":\"Module\",\"metadata\":{\"name\":\"c\"},\"spec\":{}}");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "notes.txt"), "not: [yaml");
            var set = await new ManifestLoader().LoadAsync([dir.FullName]);
            Assert.That(set.Modules.Select(m => m.Name).Order(), Is.EqualTo(new[] { "a", "b", "c" }));

            var bad = Path.Combine(dir.FullName, "sub", "bad.yaml");
            await File.WriteAllTextAsync(bad, one.Replace("NAME", "x", StringComparison.Ordinal).Replace("spec: {}", "spec: {moduleLoader: 3}", StringComparison.Ordinal));
            var ex = Assert.ThrowsAsync<ManifestLoadException>(() => new ManifestLoader().LoadAsync([dir.FullName]));
            Assert.That(ex!.Message, Is.EqualTo($"{bad}: Module default/x: spec.moduleLoader: must be an object, not 3"));
            Assert.ThrowsAsync<FileNotFoundException>(() => new ManifestLoader().LoadAsync([Path.Combine(dir.FullName, "missing.yaml")]));
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
