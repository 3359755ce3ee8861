using System.Text;

namespace Kmm.Preflight.Core.Mapping;

/// <summary>A target kernel release (<c>uname -r</c>), split as KMM splits it for its variables.</summary>
public sealed record KernelRelease
{
    private KernelRelease(string full, string x, string y, string z)
    {
        Full = full;
        X = x;
        Y = y;
        Z = z;
    }

    /// <summary>The release as given, e.g. <c>6.1.0-56-amd64</c>.</summary>
    public string Full { get; }

    /// <summary>The first field (<c>KERNEL_X</c>).</summary>
    public string X { get; }

    /// <summary>The second field (<c>KERNEL_Y</c>).</summary>
    public string Y { get; }

    /// <summary>The third field (<c>KERNEL_Z</c>).</summary>
    public string Z { get; }

    /// <summary>The first three fields joined by dots (<c>KERNEL_XYZ</c>), e.g. <c>6.1.0</c>.</summary>
    public string Xyz => $"{X}.{Y}.{Z}";

    /// <summary>
    /// The release usable in an image reference: every character outside <c>[A-Za-z0-9._-]</c> becomes <c>_</c>
    /// (so <c>+rt</c> gives <c>_rt</c>).
    /// </summary>
    public string Normalised => Normalise(Full);

    /// <summary>Parses a kernel release; it needs at least three fields separated by <c>.</c>, <c>,</c> or <c>-</c>.</summary>
    /// <exception cref="FormatException">Fewer than three fields, or white space.</exception>
    public static KernelRelease Parse(string kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Length == 0 || kernel.Any(char.IsWhiteSpace) || kernel.Length > 256)
        {
            throw new FormatException($"kernel version '{kernel}' is invalid: expected a release such as 6.1.0-56-amd64 (no spaces)");
        }

        var fields = kernel.Split(['.', ',', '-']);
        if (fields.Length < 3 || fields.Take(3).Any(f => f.Length == 0))
        {
            throw new FormatException($"kernel version '{kernel}' is invalid: it needs at least three fields separated by '.', ',' or '-' (e.g. 6.1.0-56-amd64)");
        }

        return new KernelRelease(kernel, fields[0], fields[1], fields[2]);
    }

    /// <summary>Replaces every character outside <c>[A-Za-z0-9._-]</c> by <c>_</c>.</summary>
    public static string Normalise(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Full;
}
