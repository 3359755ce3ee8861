namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>The bindable form of <see cref="Kmm.Preflight.Oci.Registry.RegistryHostSettings"/>.</summary>
public sealed class KmmPreflightRegistryHostSettings
{
    /// <summary>The registry, as <c>host[:port]</c> (e.g. <c>registry.local:5000</c>).</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>Plain HTTP (no TLS) for this registry.</summary>
    /// <value>Default false.</value>
    public bool Insecure { get; set; }

    /// <summary>TLS without certificate verification for this registry.</summary>
    /// <value>Default false.</value>
    public bool InsecureSkipTlsVerify { get; set; }
}
