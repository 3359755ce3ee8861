using System.Text;

namespace Kmm.Preflight.Core.Modules;

/// <summary>
/// The module index depmod writes into <c>lib/modules/KERNEL/</c>: <c>modules.dep</c> (text) or
/// <c>modules.dep.bin</c> (kmod's binary trie, which modprobe prefers). Either lists every module modprobe can find.
/// </summary>
public sealed class ModulesDep
{
    private readonly Dictionary<string, ModulesDepEntry> _entries;

    private ModulesDep(Dictionary<string, ModulesDepEntry> entries)
    {
        _entries = entries;
    }

    /// <summary>The listed modules by normalised name.</summary>
    public IReadOnlyDictionary<string, ModulesDepEntry> Entries => _entries;

    /// <summary>The entry for <paramref name="moduleName"/> (<c>-</c>/<c>_</c> equal), or null.</summary>
    public ModulesDepEntry? Find(string moduleName) => _entries.GetValueOrDefault(ModuleNames.Normalise(moduleName));

    /// <summary>Parses the text format: one <c>path: dep dep…</c> line per module.</summary>
    /// <exception cref="InvalidDataException">A non-empty line has no <c>:</c> or names no module file.</exception>
    public static ModulesDep ParseText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new Dictionary<string, ModulesDepEntry>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            var entry = ParseLine(line.TrimEnd('\r'), $"modules.dep line {lineNumber}");
            if (entry is not null)
            {
                entries.TryAdd(entry.Name, entry);
            }
        }

        return new ModulesDep(entries);
    }

    /// <summary>Parses <c>modules.dep.bin</c> (kmod index format: magic <c>0xB007F457</c>, version 2, a prefix trie keyed by module name whose values are <c>modules.dep</c> lines).</summary>
    /// <exception cref="InvalidDataException">Bad magic or version, offsets outside the file, or a cycle.</exception>
    public static ModulesDep ParseBinary(byte[] data)
    {
        var entries = new Dictionary<string, ModulesDepEntry>(StringComparer.Ordinal);
        foreach (var (key, value) in KmodIndex.ReadAll(data))
        {
            var entry = ParseLine(value, $"modules.dep.bin key {key}");
            if (entry is not null)
            {
                entries.TryAdd(ModuleNames.Normalise(key), entry with { Name = ModuleNames.Normalise(key) });
            }
        }

        return new ModulesDep(entries);
    }

    private static ModulesDepEntry? ParseLine(string line, string where)
    {
        if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
        {
            return null;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new InvalidDataException($"{where}: expected 'path: dependencies', got '{Truncate(line)}'");
        }

        var path = line[..colon].Trim();
        var name = ModuleNames.FromFileName(path)
            ?? throw new InvalidDataException($"{where}: '{Truncate(path)}' is not a module file (.ko, .ko.xz, .ko.zst, .ko.gz)");
        var deps = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ModulesDepEntry(name, path, deps);
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "…";

    /// <summary>Parses text or binary by content: the binary format starts with its magic.</summary>
    public static ModulesDep Parse(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return KmodIndex.HasMagic(data) ? ParseBinary(data) : ParseText(Encoding.UTF8.GetString(data));
    }
}
