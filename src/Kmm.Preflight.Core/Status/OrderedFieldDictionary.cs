namespace Kmm.Preflight.Core.Status;

/// <summary>
/// A string-keyed map that enumerates in insertion order (what JSON and YAML writers print), used for the
/// writer-agnostic object trees of status documents.
/// </summary>
public sealed class OrderedFieldDictionary : IReadOnlyDictionary<string, object?>
{
    private readonly List<KeyValuePair<string, object?>> _items = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    /// <inheritdoc />
    public IEnumerable<object?> Values => _items.Select(i => i.Value);

    /// <summary>Gets a value, or adds or replaces one (keeping its position).</summary>
    public object? this[string key]
    {
        get => _items[_index[key]].Value;
        set
        {
            if (_index.TryGetValue(key, out var at))
            {
                _items[at] = new(key, value);
            }
            else
            {
                _index[key] = _items.Count;
                _items.Add(new(key, value));
            }
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => _index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out object? value)
    {
        if (_index.TryGetValue(key, out var at))
        {
            value = _items[at].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
