namespace Kmm.Preflight.Core.Modules;

/// <summary>The <c>key=value</c> entries of a kernel module's <c>.modinfo</c> section, in order.</summary>
public sealed record ModInfo
{
    /// <summary>Creates the record from its entries.</summary>
    public ModInfo(IReadOnlyList<KeyValuePair<string, string>> entries)
    {
        Entries = entries ?? throw new ArgumentNullException(nameof(entries));
    }

    /// <summary>The entries, in section order (keys repeat, e.g. <c>alias</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries { get; }

    /// <summary>The <c>vermagic</c> string, or null.</summary>
    public string? Vermagic => Get("vermagic");

    /// <summary>The <c>name</c> the module was built with, or null.</summary>
    public string? Name => Get("name");

    /// <summary>The modules this one depends on (<c>depends</c>, comma-separated).</summary>
    public IReadOnlyList<string> Depends => (Get("depends") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        foreach (var (k, v) in Entries)
        {
            if (k == key)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="vermagic"/> is for <paramref name="kernel"/>: it starts with the release followed by a space or the end.</summary>
    public static bool VermagicMatches(string vermagic, string kernel)
    {
        ArgumentNullException.ThrowIfNull(vermagic);
        ArgumentNullException.ThrowIfNull(kernel);
        return vermagic.StartsWith(kernel, StringComparison.Ordinal) && (vermagic.Length == kernel.Length || vermagic[kernel.Length] == ' ');
    }

    /// <summary>The kernel release a vermagic string names (its first word).</summary>
    public static string VermagicRelease(string vermagic)
    {
        ArgumentNullException.ThrowIfNull(vermagic);
        var space = vermagic.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? vermagic : vermagic[..space];
    }
}
