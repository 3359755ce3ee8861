using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Core.Tests.Hostile;

/// <summary>Regressions for what afl++ found (scripts/fuzz, docs/fuzzing.md), each with the message a user gets.</summary>
public sealed class FuzzFindingTests
{
    [Test]
    public void A_json_manifest_with_a_key_twice_is_a_load_error_naming_the_key()
    {
        // Was an ArgumentException from YamlDotNet's mapping node, escaping as a stack trace.
        var file = Path.Combine(HostileCorpus.Root, "manifests", "fuzz-duplicate-json-keys.json");

        Assert.That(() => new ManifestLoader().Parse(File.ReadAllText(file), file),
            Throws.TypeOf<ManifestLoadException>().With.Message.StartsWith(file + ": ").And.Message.Contain("invalid JSON").And.Message.Contain("kind"));
    }

    [Test]
    public void A_json_key_twice_inside_a_nested_object_is_refused_too()
    {
        const string Text = """{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","metadata":{"name":"x","name":"y"}}""";

        Assert.That(() => new ManifestLoader().Parse(Text, "nested.json"), Throws.TypeOf<ManifestLoadException>().With.Message.Contain("name"));
    }

    [TestCase("fuzz-issuer-invalid-utf8.ko")]
    [TestCase("fuzz-issuer-trailing-data.ko")]
    public void A_signature_whose_issuer_name_is_corrupt_is_invalid_data(string name)
    {
        // Was a CryptographicException from X500DistinguishedName, outside the reader's contract.
        var bytes = File.ReadAllBytes(Path.Combine(HostileCorpus.Root, "signatures", name));

        Assert.That(() => ModuleSignatureReader.Read(bytes), Throws.TypeOf<InvalidDataException>().With.Message.Contain("issuer name"));
    }
}
