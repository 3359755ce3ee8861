using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Fuzzing;

/// <summary>
/// One entry per parser fed untrusted bytes. Each swallows only the exceptions its contract documents for bad input
/// (the same list as the MutationFuzzTests): anything else escapes, SharpFuzz reports it to afl++ as a crash.
/// </summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["tar"] = Tar,
        ["manifest"] = Manifest,
        ["loader"] = Loader,
        ["elf"] = Elf,
        ["signature"] = Signature,
        ["toc"] = Toc,
    };

    /// <summary>
    /// The TOC parser, differentially: one thread against two (every input split) and against reading while written,
    /// chunks read and stepped over, the index built for both formats. A disagreement is thrown, so afl++ reports it
    /// as a crash.
    /// </summary>
    private static void Toc(byte[] input)
    {
        Oci.FileSystem.Toc.TocDocument.SplitThreshold = 0;
        Oci.FileSystem.Toc.TocDocument.ReadMargin = 64;
        Testing.Fuzzing.TocDifferential.Check(input, new LayerLimits { MaxEntries = 100_000 }, "fuzz input");
    }

    /// <summary>The tar reader as a scan drives it: every entry, every data byte.</summary>
    private static void Tar(byte[] input)
    {
        try
        {
            ReadTarAsync(input).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidDataException or LayerLimitExceededException)
        {
        }
    }

    private static async Task ReadTarAsync(byte[] input)
    {
        // Made here, not in a static field: instrumented code must not run before SharpFuzz maps afl++'s coverage
        // memory (it crashes with an access violation). Small, so a claimed huge entry is refused quickly.
        var limits = new LayerLimits { MaxUncompressedBytes = 16L * 1024 * 1024, MaxHeaderBytes = 64 * 1024 };
        await using var reader = new LayerTarReader(new MemoryStream(input, writable: false), limits);
        var buffer = new byte[16 * 1024];
        while (await reader.GetNextEntryAsync() is not null)
        {
            while (await reader.ReadDataAsync(buffer) > 0)
            {
            }
        }
    }

    private static void Manifest(byte[] input)
    {
        try
        {
            ManifestParser.Parse(input, contentType: null, "fuzz");
        }
        catch (InvalidDataException)
        {
        }
    }

    /// <summary>JSON when the text starts like JSON, YAML otherwise, so one corpus reaches both front ends.</summary>
    private static void Loader(byte[] input)
    {
        // Lenient decoding, unlike LoadAsync (which refuses invalid UTF-8 before parsing): an input that reached no
        // instrumented code would make afl++ abort its dry run, and U+FFFD is valid text for the parser anyway.
        var text = Encoding.UTF8.GetString(input);
        var json = text.TrimStart() is ['{' or '[', ..];
        try
        {
            new ManifestLoader().Parse(text, json ? "fuzz.json" : "fuzz.yaml");
        }
        catch (ManifestLoadException)
        {
        }
    }

    private static void Elf(byte[] input)
    {
        try
        {
            ElfModInfoReader.Read(input);
        }
        catch (InvalidDataException)
        {
        }
    }

    private static void Signature(byte[] input)
    {
        try
        {
            ModuleSignatureReader.Read(input);
        }
        catch (InvalidDataException)
        {
        }
    }
}
