using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>
/// Writes small OCI image layouts for the end-to-end tests: gzip tar layers built with System.Formats.Tar, a
/// config with labels, a manifest, and optionally a multi-platform index.
/// </summary>
internal sealed class TestLayout
{
    private readonly string _directory;
    private readonly List<object> _entries = [];

    public TestLayout(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    /// <summary>A layer entry: a file (content), a directory (content null, link null) or a symlink (link).</summary>
    public sealed record Entry(string Name, byte[]? Content = null, string? SymlinkTarget = null, bool IsDirectory = false)
    {
        public static Entry File(string name, string content) => new(name, Encoding.UTF8.GetBytes(content));

        public static Entry File(string name, byte[] content) => new(name, content);

        public static Entry Dir(string name) => new(name, IsDirectory: true);

        public static Entry Symlink(string name, string target) => new(name, SymlinkTarget: target);
    }

    /// <summary>Adds a single-platform image tagged <paramref name="tag"/>; returns the manifest descriptor.</summary>
    public Descriptor AddImage(string tag, IReadOnlyDictionary<string, string> labels, params Entry[][] layers)
    {
        var manifest = WriteManifest("amd64", labels, layers);
        _entries.Add(DescriptorJson(manifest, tag, platform: null));
        Save();
        return manifest;
    }

    /// <summary>Adds an index tagged <paramref name="tag"/> with one image per architecture.</summary>
    public Descriptor AddIndex(string tag, IReadOnlyDictionary<string, Entry[]> imagesByArchitecture)
    {
        var manifests = imagesByArchitecture
            .Select(p => DescriptorJson(WriteManifest(p.Key, new Dictionary<string, string> { ["arch"] = p.Key }, [p.Value]), null, p.Key))
            .ToList();
        var index = WriteBlob(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = manifests,
        }), "application/vnd.oci.image.index.v1+json");
        _entries.Add(DescriptorJson(index, tag, platform: null));
        Save();
        return index;
    }

    public sealed record Descriptor(string MediaType, string Digest, long Size);

    private Descriptor WriteManifest(string architecture, IReadOnlyDictionary<string, string> labels, Entry[][] layers)
    {
        var layerDescriptors = new List<Descriptor>();
        var diffIds = new List<string>();
        foreach (var layer in layers)
        {
            var tar = Tar(layer);
            diffIds.Add("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));
            layerDescriptors.Add(WriteBlob(Gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip"));
        }

        var config = WriteBlob(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["config"] = new Dictionary<string, object> { ["Labels"] = labels },
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = diffIds },
        }), "application/vnd.oci.image.config.v1+json");
        return WriteBlob(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = DescriptorJson(config, null, null),
            ["layers"] = layerDescriptors.Select(d => DescriptorJson(d, null, null)).ToList(),
        }), "application/vnd.oci.image.manifest.v1+json");
    }

    private static Dictionary<string, object> DescriptorJson(Descriptor descriptor, string? tag, string? platform)
    {
        var json = new Dictionary<string, object> { ["mediaType"] = descriptor.MediaType, ["digest"] = descriptor.Digest, ["size"] = descriptor.Size };
        if (tag is not null)
        {
            json["annotations"] = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = tag };
        }

        if (platform is not null)
        {
            json["platform"] = new Dictionary<string, string> { ["os"] = "linux", ["architecture"] = platform };
        }

        return json;
    }

    private Descriptor WriteBlob(byte[] content, string mediaType)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(_directory, "blobs", "sha256", hex), content);
        return new Descriptor(mediaType, "sha256:" + hex, content.Length);
    }

    private void Save() => File.WriteAllBytes(Path.Combine(_directory, "index.json"), JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["schemaVersion"] = 2,
        ["manifests"] = _entries,
    }));

    private static byte[] Tar(Entry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                var type = entry.IsDirectory ? TarEntryType.Directory : entry.SymlinkTarget is not null ? TarEntryType.SymbolicLink : TarEntryType.RegularFile;
                var tarEntry = new PaxTarEntry(type, entry.Name) { ModificationTime = DateTimeOffset.UnixEpoch };
                if (entry.SymlinkTarget is not null)
                {
                    tarEntry.LinkName = entry.SymlinkTarget;
                }

                if (entry.Content is not null)
                {
                    tarEntry.DataStream = new MemoryStream(entry.Content);
                }

                writer.WriteEntry(tarEntry);
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
