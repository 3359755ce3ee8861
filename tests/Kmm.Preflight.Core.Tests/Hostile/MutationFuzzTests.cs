using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Fuzzing;

namespace Kmm.Preflight.Core.Tests.Hostile;

/// <summary>
/// In-process fuzzing with a fixed seed (see docs/fuzzing.md) of the YAML/JSON loader and the module readers: each
/// mutated input is accepted or refused with the documented exception; anything else fails with the input saved.
/// </summary>
[Category("Fuzz")]
public sealed class MutationFuzzTests
{
    private const int Seed = 20261201;

    [Test]
    public void Manifest_loader_survives_mutated_yaml_and_json()
    {
        var seeds = HostileCorpus.Files("manifests").Where(f => new FileInfo(f).Length < 16 * 1024)
            .Concat(Directory.GetFiles(Path.Combine(RepositoryTestData.Root, "..", "..", "examples"), "*.yaml", SearchOption.AllDirectories))
            .Select(File.ReadAllBytes).ToList();
        var loader = new ManifestLoader();
        // Decoded as the loader decodes files; invalid UTF-8 is refused before parsing, so it is not the interesting part.
        Fuzz(seeds, 5000, bytes => loader.Parse(Encoding.UTF8.GetString(bytes), bytes.Length % 2 == 0 ? "fuzz.yaml" : "fuzz.json"), typeof(ManifestLoadException));
    }

    [Test]
    public void Elf_and_signature_readers_survive_mutated_modules()
    {
        var seeds = new[] { RepositoryTestData.Module("dummy.ko") }
            .Concat(HostileCorpus.Files("signatures").Select(File.ReadAllBytes)).ToList();
        Fuzz(seeds, 4000, bytes =>
        {
            ModuleSignatureReader.Read(bytes);
            return ElfModInfoReader.Read(bytes);
        }, typeof(InvalidDataException));
    }

    private static void Fuzz<T>(IReadOnlyList<byte[]> seeds, int iterations, Func<byte[], T> target, params Type[] allowed)
    {
        var mutator = new ByteMutator(seeds, Seed);
        for (var i = 0; i < iterations; i++)
        {
            var input = mutator.Next();
            try
            {
                target(input);
            }
            catch (Exception e) when (allowed.Contains(e.GetType()))
            {
                // The documented failure for bad input.
            }
            catch (Exception e)
            {
                var saved = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"fuzz-finding-{TestContext.CurrentContext.Test.MethodName}-{i}.bin");
                File.WriteAllBytes(saved, input);
                Assert.Fail($"iteration {i} (seed {Seed}): {e.GetType().Name}: {e.Message}; input saved as {saved} (add it to tests/testdata/hostile)\n{e}");
            }
        }
    }
}
