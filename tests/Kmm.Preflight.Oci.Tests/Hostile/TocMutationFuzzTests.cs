using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Fuzzing;

namespace Kmm.Preflight.Oci.Tests.Hostile;

/// <summary>
/// Mutations of real TOC heads through the TOC parser, differentially: parsed on one thread, on two (the split
/// threshold lowered so every input splits) and while written (the read margin lowered so every input is followed),
/// the results must be equal, or all refused with the same message; with
/// chunks stepped over, the parse must refuse with <see cref="TocInvalidException"/> or succeed, as must building the
/// index for either format.
/// </summary>
[Category("Fuzz")]
[NonParallelizable]
public sealed class TocMutationFuzzTests
{
    private const int Seed = 20261201;

    [Test]
    public void Toc_parser_gives_the_same_answer_on_one_and_two_threads_for_mutated_tocs()
    {
        var seeds = Directory.GetFiles(Path.Combine(RepositoryTestData.Root, "toc"), "*.json").Select(File.ReadAllBytes).ToList();
        var mutator = new ByteMutator(seeds, Seed);
        var (threshold, margin) = (TocDocument.SplitThreshold, TocDocument.ReadMargin);
        (TocDocument.SplitThreshold, TocDocument.ReadMargin) = (0, 64);
        try
        {
            var (splits, followed) = (TocDocument.SecondHalvesUsed, TocDocument.FollowedParses);
            for (var i = 0; i < 3000; i++)
            {
                var input = mutator.Next();
                TocDifferential.Check(input, LayerLimits.Default, $"iteration {i} (seed {Seed})");
            }

            Assert.That(TocDocument.SecondHalvesUsed, Is.GreaterThan(splits), "no input took the two-thread path");
            Assert.That(TocDocument.FollowedParses, Is.GreaterThan(followed), "no input was read while written");
        }
        finally
        {
            (TocDocument.SplitThreshold, TocDocument.ReadMargin) = (threshold, margin);
        }
    }
}
