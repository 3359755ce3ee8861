using System.Text.Encodings.Web;
using System.Text.Json;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Runner.Commands.Validate;
using Kmm.Preflight.Runner.Output;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Kmm.Preflight.Runner.Tests.Output;

public class ValidationReportWriterTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 24, 5, 6, 7, TimeSpan.Zero);

    private static readonly PreflightValidationDocument Report = new()
    {
        ApiVersion = "kmm.sigs.x-k8s.io/v1beta2",
        Kind = "PreflightValidation",
        Name = "preflight",
        Namespace = "default",
        Spec = new OrderedDictionary<string, object?> { ["kernelVersion"] = "6.1.0-56-amd64", ["pushBuiltImage"] = false },
        Modules =
        [
            Status("dummy", true, VerificationStage.Done, "dummy.ko found for kernel 6.1.0-56-amd64", Time),
            Status("veth", false, VerificationStage.Image, "veth.ko: no module for kernel 6.1.0-56-amd64: found only under 6.1.0-13-amd64", Time.AddMinutes(1)),
        ],
    };

    private static ModuleStatus Status(string name, bool verified, VerificationStage stage, string reason, DateTimeOffset time) => new()
    {
        Name = name,
        Namespace = "kmm-demo",
        Verified = verified,
        Stage = stage,
        StatusReason = reason,
        LastTransitionTime = time,
    };

    private static async Task<string> WriteAsync(OutputFormat format)
    {
        var output = new StringWriter();
        await ValidationReportWriter.For(format).WriteAsync(Report, output, CancellationToken.None);
        return output.ToString();
    }

    [Test]
    public async Task Json_is_the_preflight_object_with_module_statuses()
    {
        using var json = JsonDocument.Parse(await WriteAsync(OutputFormat.Json));
        var root = json.RootElement;

        Assert.That(root.GetProperty("apiVersion").GetString(), Is.EqualTo("kmm.sigs.x-k8s.io/v1beta2"));
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("PreflightValidation"));
        Assert.That(root.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("preflight"));
        Assert.That(root.GetProperty("metadata").GetProperty("namespace").GetString(), Is.EqualTo("default"));
        Assert.That(root.GetProperty("spec").GetProperty("kernelVersion").GetString(), Is.EqualTo("6.1.0-56-amd64"));
        Assert.That(root.GetProperty("spec").GetProperty("pushBuiltImage").GetBoolean(), Is.False);
        var modules = root.GetProperty("status").GetProperty("modules");
        Assert.That(modules.GetArrayLength(), Is.EqualTo(2));
        var veth = modules[1];
        Assert.That(veth.GetProperty("name").GetString(), Is.EqualTo("veth"));
        Assert.That(veth.GetProperty("namespace").GetString(), Is.EqualTo("kmm-demo"));
        Assert.That(veth.GetProperty("verificationStatus").GetString(), Is.EqualTo("False"));
        Assert.That(veth.GetProperty("verificationStage").GetString(), Is.EqualTo("Image"));
        Assert.That(veth.GetProperty("statusReason").GetString(), Does.Contain("6.1.0-13-amd64"));
        Assert.That(veth.GetProperty("lastTransitionTime").GetString(), Is.EqualTo("2026-11-24T05:07:07Z"));
        Assert.That(modules[0].GetProperty("verificationStatus").GetString(), Is.EqualTo("True"));
    }

    [Test]
    public async Task Yaml_has_the_same_shape_and_keeps_key_order()
    {
        var text = await WriteAsync(OutputFormat.Yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;

        Assert.That(root.Children.Keys.Select(k => k.ToString()), Is.EqualTo(new[] { "apiVersion", "kind", "metadata", "spec", "status" }));
        var modules = (YamlSequenceNode)((YamlMappingNode)root["status"])["modules"];
        var dummy = (YamlMappingNode)modules[0];
        Assert.That(dummy["name"].ToString(), Is.EqualTo("dummy"));
        Assert.That(dummy["verificationStatus"].ToString(), Is.EqualTo("True"));
        Assert.That(dummy["lastTransitionTime"].ToString(), Is.EqualTo("2026-11-24T05:06:07Z"));
        Assert.That(((YamlMappingNode)root["spec"])["pushBuiltImage"].ToString(), Is.EqualTo("false"));
        Assert.That(text, Does.Contain("verificationStatus: \"True\"").Or.Contain("verificationStatus: 'True'"), "a string, not a YAML boolean");
    }

    [Test]
    public async Task Table_has_one_row_a_module_and_a_summary()
    {
        var lines = (await WriteAsync(OutputFormat.Table)).TrimEnd('\n').Split('\n');

        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Does.StartWith("MODULE").And.Contain("VERIFIED").And.Contain("REASON"));
        Assert.That(lines[1], Does.StartWith("kmm-demo/dummy").And.Contain("True").And.Contain("Done"));
        Assert.That(lines[2], Does.StartWith("kmm-demo/veth").And.Contain("False").And.Contain("6.1.0-13-amd64"));
        Assert.That(lines[1].IndexOf("True", StringComparison.Ordinal), Is.EqualTo(lines[2].IndexOf("False", StringComparison.Ordinal)), "columns align");
        Assert.That(lines[3], Is.EqualTo("2 module(s) checked for kernel 6.1.0-56-amd64: 1 verified, 1 not verified."));
    }

    // Strings YAML would read as something else, strings the emitter must quote, and ordinary ones.
    private static readonly string[] TrickyStrings =
    [
        "True", "false", "TRUE", "null", "Null", "~", "", " ", " leading blank", "trailing blank ", "6.1", "42", "-7", "+3",
        "0x1F", "0o17", "1e3", "-2.5E-3", ".5", ".inf", "-.Inf", ".NaN", "yes", "on", "a: b", "#hash", "- dash", "key:", "?q",
        "plain text", "6.1.0-56-amd64", "2026-11-24T05:06:07Z", "'single'", "\"double\"", "multi\nline", "tab\tin", "ünïcode",
        "@at", "`tick", "{x}", "[y]", "*star", "&anchor", "!bang", "%pct", "|pipe", ">fold", "a, b", "x #not comment", "\\back",
    ];

    private static readonly JsonSerializerOptions ReflectionJsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static PreflightValidationDocument TrickyReport()
    {
        var spec = new OrderedDictionary<string, object?>();
        for (var i = 0; i < TrickyStrings.Length; i++)
        {
            spec[$"s{i}"] = TrickyStrings[i];
        }

        spec["True"] = "key that reads as a boolean";
        spec["6.1"] = "key that reads as a number";
        spec["absent"] = null;
        spec["empty map"] = new OrderedDictionary<string, object?>();
        spec["empty list"] = new List<object?>();
        spec["list"] = TrickyStrings.Take(8).Cast<object?>().Append(true).Append(null).ToList();
        return Report with { Spec = spec, Modules = [Status("a: b", false, VerificationStage.Image, "not found: 'x' # y\nnext line", Time)] };
    }

    // The writers walk the object tree themselves (no reflection, for the Native AOT build); YamlDotNet's and
    // System.Text.Json's reflection serializers, which they replace, are the reference for the exact text.
    [Test]
    public async Task Yaml_is_what_YamlDotNet_s_serializer_wrote_for_the_same_tree()
    {
        var document = TrickyReport();
        var output = new StringWriter();
        await new YamlReportWriter().WriteAsync(document, output, CancellationToken.None);

        var expected = new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(ToSerializable(document.ToObjectTree()));
        Assert.That(output.ToString(), Is.EqualTo(expected));
        var reread = (YamlMappingNode)LoadYaml(output.ToString())["spec"];
        for (var i = 0; i < TrickyStrings.Length; i++)
        {
            Assert.That(((YamlScalarNode)reread[$"s{i}"]).Value, Is.EqualTo(TrickyStrings[i]), $"s{i}");
        }
    }

    [Test]
    public async Task Json_is_what_JsonSerializer_wrote_for_the_same_tree()
    {
        var document = TrickyReport();
        var output = new StringWriter();
        await new JsonReportWriter().WriteAsync(document, output, CancellationToken.None);

        Assert.That(output.ToString(), Is.EqualTo(JsonSerializer.Serialize(document.ToObjectTree(), ReflectionJsonOptions) + Environment.NewLine));
    }

    private static YamlMappingNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    // YamlDotNet's serializer writes a read-only dictionary as a sequence of pairs: hand it ordered mutable ones.
    private static object? ToSerializable(object? node) => node switch
    {
        IReadOnlyDictionary<string, object?> map => new OrderedDictionary<string, object?>(map.Select(p => KeyValuePair.Create(p.Key, ToSerializable(p.Value)))),
        string or bool or null => node,
        System.Collections.IEnumerable list => list.Cast<object?>().Select(ToSerializable).ToList(),
        _ => node,
    };
}
