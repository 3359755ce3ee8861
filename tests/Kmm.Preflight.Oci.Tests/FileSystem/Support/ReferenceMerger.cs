namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>
/// An independent, deliberately naive merger for cross-checking: the filesystem is a dictionary from path to
/// entry, layers are applied in order (directories, then whiteouts and opaque markers acting on lower layers only,
/// then the other entries in tar order), parent paths resolved through the symlinks present at that moment.
/// </summary>
internal sealed class ReferenceMerger
{
    private const int MaxHops = 40;

    private readonly Dictionary<string, RefEntry> _state = new(StringComparer.Ordinal) { [""] = new RefEntry('d', null, null, 0) };

    public IReadOnlyDictionary<string, RefEntry> State => _state;

    public void Apply(int layer, IReadOnlyList<RefLayerEntry> entries)
    {
        foreach (var entry in entries.Where(e => e.Kind == 'd'))
        {
            var parent = Resolve(ParentOf(entry.Path), create: true, followLast: true, layer);
            if (parent is null)
            {
                continue;
            }

            var path = Join(parent, NameOf(entry.Path));
            if (_state.TryGetValue(path, out var existing) && existing.Kind == 'd')
            {
                _state[path] = existing with { Layer = layer };
            }
            else
            {
                RemoveTree(path);
                _state[path] = new RefEntry('d', null, null, layer);
            }
        }

        foreach (var entry in entries.Where(e => e.Kind is 'w' or 'o'))
        {
            if (entry.Kind == 'w')
            {
                var parent = Resolve(ParentOf(entry.Path), create: true, followLast: true, layer);
                if (parent is null)
                {
                    continue;
                }

                var path = Join(parent, NameOf(entry.Path));
                if (_state.TryGetValue(path, out var existing) && existing.Layer != layer)
                {
                    RemoveTree(path);
                }
                else if (existing is { Kind: 'd' })
                {
                    // This layer's directory stays, but the lower one it merged with is deleted.
                    HideLower(path, layer);
                }
            }
            else
            {
                var directory = Resolve(entry.Path, create: true, followLast: true, layer);
                if (directory is not null)
                {
                    HideLower(directory, layer);
                }
            }
        }

        foreach (var entry in entries.Where(e => e.Kind is 'f' or 'l' or 'h'))
        {
            var parent = Resolve(ParentOf(entry.Path), create: true, followLast: true, layer);
            if (parent is null)
            {
                continue;
            }

            var path = Join(parent, NameOf(entry.Path));
            RemoveTree(path);
            _state[path] = entry.Kind switch
            {
                'f' => new RefEntry('f', null, entry.Content, layer),
                'l' => new RefEntry('l', entry.Target, null, layer),
                _ => new RefEntry('f', null, HardlinkContent(entries, entry, layer), layer),
            };
        }
    }

    /// <summary>The real path of <paramref name="path"/>, or null when it does not exist or, then <paramref name="loops"/> is set, its symlinks loop.</summary>
    public string? Lookup(string path, bool followLast, out bool loops) => Resolve(path, create: false, followLast, 0, out loops);

    private byte[] HardlinkContent(IReadOnlyList<RefLayerEntry> entries, RefLayerEntry link, int layer)
    {
        // What the target names in this layer at the link's position in the tar.
        var target = link.Target!;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (ReferenceEquals(entry, link))
            {
                if (files.TryGetValue(target, out var linked))
                {
                    return linked;
                }

                break;
            }

            if (entry.Kind == 'f')
            {
                files[entry.Path] = entry.Content!;
            }
            else if (entry.Kind == 'h' && files.TryGetValue(entry.Target!, out var content))
            {
                files[entry.Path] = content;
            }
            else if (entry.Kind is 'd' or 'l' or 'h')
            {
                files.Remove(entry.Path);
            }
        }

        var resolved = Resolve(target, create: false, followLast: false, layer);
        return resolved is not null && _state[resolved].Kind == 'f' ? _state[resolved].Content! : [];
    }

    private void HideLower(string directory, int layer)
    {
        var prefix = directory.Length == 0 ? string.Empty : directory + "/";
        var kept = new HashSet<string>(StringComparer.Ordinal) { directory };
        foreach (var key in _state.Keys.Where(k => k.Length > 0 && k.StartsWith(prefix, StringComparison.Ordinal) && k != directory).OrderBy(k => k.Length).ToList())
        {
            var entry = _state[key];
            if (entry.Kind == 'd' && entry.Layer == layer && kept.Contains(ParentOf(key)))
            {
                kept.Add(key);
            }
            else
            {
                _state.Remove(key);
            }
        }
    }

    private void RemoveTree(string path)
    {
        foreach (var key in _state.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
        {
            _state.Remove(key);
        }
    }

    private string? Resolve(string path, bool create, bool followLast, int layer) => Resolve(path, create, followLast, layer, out _);

    private string? Resolve(string path, bool create, bool followLast, int layer, out bool loops)
    {
        loops = false;
        var pending = new List<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = string.Empty;
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending[0];
            pending.RemoveAt(0);
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = ParentOf(current);
                continue;
            }

            var candidate = Join(current, component);
            var last = pending.Count == 0;
            if (!_state.TryGetValue(candidate, out var entry))
            {
                if (!create)
                {
                    return null;
                }

                _state[candidate] = new RefEntry('d', null, null, layer);
                current = candidate;
                continue;
            }

            if (entry.Kind == 'l' && (!last || followLast || create))
            {
                if (++hops > MaxHops)
                {
                    loops = true;
                    return null;
                }

                if (entry.Target!.StartsWith('/'))
                {
                    current = string.Empty;
                }

                pending.InsertRange(0, entry.Target.Split('/', StringSplitOptions.RemoveEmptyEntries));
                continue;
            }

            if (entry.Kind == 'd' || (last && !create))
            {
                current = candidate;
                continue;
            }

            if (!create)
            {
                return null;
            }

            _state[candidate] = new RefEntry('d', null, null, layer);
            current = candidate;
        }

        return current;
    }

    private static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;
}

/// <summary>An entry of the reference state: kind <c>d</c>/<c>f</c>/<c>l</c>.</summary>
internal sealed record RefEntry(char Kind, string? Target, byte[]? Content, int Layer);

/// <summary>A generated layer entry: kind <c>d</c>, <c>f</c>, <c>l</c> (symlink), <c>h</c> (hardlink), <c>w</c> (whiteout), <c>o</c> (opaque).</summary>
internal sealed record RefLayerEntry(char Kind, string Path, string? Target = null, byte[]? Content = null);
