using System.Text.Json;
using Kmm.Preflight.Core.Model;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Reads KMM objects (Module, PreflightValidation, PreflightValidationOCP) and the Secrets and ConfigMaps they
/// refer to from YAML and JSON files: single objects, multi-document YAML and <c>kind: List</c> as kubectl prints.
/// Unknown fields are ignored, unrelated kinds skipped (logged at debug level); an object without kind or apiVersion
/// (which Kubernetes would reject) and wrong types are errors naming the file, the document, the object and the field.
/// </summary>
public sealed class ManifestLoader
{
    /// <summary>The API group of KMM's kinds.</summary>
    public const string KmmGroup = "kmm.sigs.x-k8s.io";

    // The largest manifest file read, in bytes; Kubernetes itself refuses objects over ~1.5 MB.
    internal const long MaxFileBytes = 16 * 1024 * 1024;

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    // Invalid UTF-8 is an error, as it is to kubectl, rather than text silently changed to U+FFFD.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ILogger? _logger;

    /// <summary>Creates a loader.</summary>
    public ManifestLoader(ILogger? logger = null)
    {
        _logger = logger;
    }

    /// <summary>Loads files, and the <c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c> files of directories (recursively, sorted by path).</summary>
    /// <exception cref="ManifestLoadException">A file is malformed; the message names file, object and field.</exception>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public async Task<ObjectSet> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = ObjectSet.Empty;
        foreach (var file in ExpandPaths(paths))
        {
            result = result.Concat(Parse(await ReadTextAsync(file, cancellationToken), file));
        }

        return result;
    }

    /// <summary>Parses manifest text; <paramref name="sourceName"/> is used in messages (and a <c>.json</c> name selects JSON).</summary>
    /// <exception cref="ManifestLoadException">The text is malformed.</exception>
    public ObjectSet Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var collector = new Collector();
        var documents = ReadDocuments(text, sourceName);
        for (var i = 0; i < documents.Count; i++)
        {
            ReadObject(documents[i], sourceName, collector, path: string.Empty, document: i + 1);
        }

        return collector.ToSet();
    }

    private static async Task<string> ReadTextAsync(string file, CancellationToken cancellationToken)
    {
        // Checked before reading: a file named by mistake (an image, a disk) must not be read into memory whole.
        var length = new FileInfo(file).Length;
        if (length > MaxFileBytes)
        {
            throw new ManifestLoadException(file, null, null, $"the file is {length} bytes, more than the {MaxFileBytes}-byte limit for a manifest file");
        }

        try
        {
            return await File.ReadAllTextAsync(file, StrictUtf8, cancellationToken);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            throw new ManifestLoadException(file, null, null, "not valid UTF-8 text", ex);
        }
    }

    private static IEnumerable<string> ExpandPaths(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory", path);
            }
        }
    }

    private static List<YamlNode> ReadDocuments(string text, string sourceName)
    {
        var trimmed = text.TrimStart();
        if (sourceName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                // Duplicate keys refused here, as YAML's are: JsonToYaml's mapping node would throw ArgumentException on them
                // (an afl++ finding), and which of two values wins is nowhere specified.
                using var json = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 128, AllowDuplicateProperties = false });
                var node = JsonToYaml.Convert(json.RootElement);
                return node is YamlSequenceNode seq ? [.. seq.Children] : [node];
            }
            catch (JsonException ex)
            {
                throw new ManifestLoadException(sourceName, null, null, $"invalid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message}", ex);
            }
        }

        var stream = new YamlStream();
        try
        {
            YamlNesting.Check(text, sourceName);
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ManifestLoadException(sourceName, null, null, $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {Shorten(ex.InnerException?.Message ?? ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input (unterminated flow collections, duplicate keys) this way.
            throw new ManifestLoadException(sourceName, null, null, $"invalid YAML: {ex.Message}", ex);
        }

        foreach (var document in stream.Documents)
        {
            YamlMergeKeys.Apply(document.RootNode, sourceName);
        }

        return [.. stream.Documents.Select(d => d.RootNode).Where(n => n is not YamlScalarNode s || !NodeReader.IsNull(s))];
    }

    // YamlDotNet prints a whole key in "Duplicate key …": a key holding aliases can print as megabytes.
    private static string Shorten(string message) => message.Length <= 300 ? message : message[..300] + "…";

    // document: the 1-based number of the document (or top-level JSON array item) in the file, for messages.
    private void ReadObject(YamlNode node, string file, Collector collector, string path, int document)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new ManifestLoadException(file, null, path.Length == 0 ? null : path, "must be an object with apiVersion and kind");
        }

        var root = new NodeReader(mapping, file, null, string.Empty);
        var where = path.Length == 0 ? string.Empty : path + ".";
        var kind = root.String("kind") ?? throw new ManifestLoadException(file, null, where + "kind", $"is required (document {document})");
        var metadata = root.Mapping("metadata");
        var name = metadata?.String("name");
        var ns = metadata?.String("namespace");
        ns = string.IsNullOrEmpty(ns) ? "default" : ns;
        var id = new ObjectId(kind, ns, string.IsNullOrEmpty(name) ? "(unnamed)" : name);
        var apiVersion = root.String("apiVersion");
        if (string.IsNullOrEmpty(apiVersion))
        {
            // Skipping it as an unrelated kind would hide a Secret or ConfigMap the checks then fail to find.
            throw new ManifestLoadException(file, id, where + "apiVersion", $"is required (document {document})");
        }

        if (kind == "List" || (kind.EndsWith("List", StringComparison.Ordinal) && root.Has("items")))
        {
            var items = root.Sequence("items");
            for (var i = 0; i < items.Count; i++)
            {
                ReadObject(items[i], file, collector, $"{where}items[{i}]", document);
            }

            return;
        }

        root = root.WithObject(id);
        switch (kind)
        {
            case "Module":
            case "PreflightValidation":
            case "PreflightValidationOCP":
                CheckKmmApiVersion(root, kind, apiVersion);
                if (string.IsNullOrEmpty(name))
                {
                    throw root.Error("metadata.name", "is required");
                }

                if (kind == "Module")
                {
                    collector.Modules.Add(ModuleReader.Read(root, name, ns));
                }
                else if (kind == "PreflightValidation")
                {
                    collector.PreflightValidations.Add(ValidationReader.ReadPreflightValidation(root, name, ns, apiVersion));
                }
                else
                {
                    collector.PreflightValidationsOcp.Add(ValidationReader.ReadPreflightValidationOcp(root, name, ns, apiVersion));
                }

                break;
            case "Secret" when apiVersion == "v1":
                collector.Secrets.Add(CoreObjectReader.ReadSecret(root, RequireName(root, name), ns));
                break;
            case "ConfigMap" when apiVersion == "v1":
                collector.ConfigMaps.Add(CoreObjectReader.ReadConfigMap(root, RequireName(root, name), ns));
                break;
            default:
                _logger?.LogDebug("{File}: skipping {ApiVersion} {Id}: not a kind preflight reads", file, apiVersion, id);
                break;
        }
    }

    private static string RequireName(NodeReader root, string? name)
        => string.IsNullOrEmpty(name) ? throw root.Error("metadata.name", "is required") : name;

    private static void CheckKmmApiVersion(NodeReader root, string kind, string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        if (group != KmmGroup)
        {
            throw root.Error("apiVersion", $"'{apiVersion}' is not in API group {KmmGroup} (expected {KmmGroup}/{(kind == "Module" ? "v1beta1" : "v1beta2")})");
        }

        var known = kind == "Module" ? version is "v1beta1" : version is "v1beta1" or "v1beta2";
        if (!known)
        {
            throw root.Error("apiVersion", $"version '{version}' of {kind} is not supported (expected {(kind == "Module" ? "v1beta1" : "v1beta1 or v1beta2")})");
        }
    }

    private sealed class Collector
    {
        public List<Module> Modules { get; } = [];

        public List<PreflightValidation> PreflightValidations { get; } = [];

        public List<PreflightValidationOcp> PreflightValidationsOcp { get; } = [];

        public List<Secret> Secrets { get; } = [];

        public List<ConfigMap> ConfigMaps { get; } = [];

        public ObjectSet ToSet() => new()
        {
            Modules = Modules,
            PreflightValidations = PreflightValidations,
            PreflightValidationsOcp = PreflightValidationsOcp,
            Secrets = Secrets,
            ConfigMaps = ConfigMaps,
        };
    }
}
