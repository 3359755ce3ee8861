using Kmm.Preflight.Oci.FileSystem.Toc;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>What a parse gives, its listing or its refusal's message, so two ways of parsing can be compared.</summary>
internal static class TocOutcome
{
    public static (TocListing? Listing, string? Error) Of(Func<TocListing> parse)
    {
        try
        {
            return (parse(), null);
        }
        catch (TocInvalidException e)
        {
            return (null, e.Message);
        }
    }
}
