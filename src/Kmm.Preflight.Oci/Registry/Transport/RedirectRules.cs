namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>Where a redirect may lead: an absolute http(s) URL resolved against the current one; never from https down to http.</summary>
internal static class RedirectRules
{
    /// <summary>The next URI, or an exception for a forbidden redirect.</summary>
    /// <exception cref="RegistryException">The redirect downgrades https to http or is not http(s).</exception>
    public static Uri Next(Uri current, Uri location, string operation)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(location);
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            throw new RegistryException($"{operation}: refusing a redirect to a '{next.Scheme}' URL.");
        }

        if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            throw new RegistryException($"{operation}: refusing a redirect from https to plain http ({next.GetLeftPart(UriPartial.Path)}).");
        }

        return next;
    }
}
