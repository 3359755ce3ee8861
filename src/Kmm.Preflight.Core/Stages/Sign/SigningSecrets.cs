using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>
/// The signing key and certificate of one Module: Secret <c>keySecret</c> data <c>key</c> and Secret
/// <c>certSecret</c> data <c>cert</c>, in the Module's namespace, as KMM mounts them into its signing job.
/// </summary>
internal static class SigningSecrets
{
    /// <summary>Loads the key pair, or says in <paramref name="problem"/> what is missing or wrong (never the secret's bytes).</summary>
    public static ModuleSigningKey? Load(StageContext context, out string? problem)
    {
        var mapping = context.Mapping;
        var sign = mapping.Sign!;
        var key = Data(context, mapping, sign.KeySecret, "keySecret", "key", out problem);
        if (key is null)
        {
            return null;
        }

        var cert = Data(context, mapping, sign.CertSecret, "certSecret", "cert", out problem);
        if (cert is null)
        {
            return null;
        }

        try
        {
            return ModuleSigningKey.Load(key, cert);
        }
        catch (ModuleSigningKeyException ex)
        {
            problem = $"the signing key of Secret {sign.KeySecret} and the certificate of Secret {sign.CertSecret} cannot sign ({ex.Message.TrimEnd('.')}); "
                + "put the PEM private key in data 'key' and its certificate in data 'cert'";
            return null;
        }
    }

    private static byte[]? Data(StageContext context, ResolvedMapping mapping, string? secretName, string field, string dataKey, out string? problem)
    {
        var ns = mapping.Module.Namespace;
        if (string.IsNullOrEmpty(secretName))
        {
            problem = $"sign.{field} is not set for {mapping.Module.Id} ({mapping.Describe()}); name the Secret whose data '{dataKey}' holds the {(dataKey == "key" ? "private key" : "certificate")}";
            return null;
        }

        var secret = context.Objects.FindSecret(ns, secretName);
        if (secret is null)
        {
            problem = $"Secret {secretName} (sign.{field}) was not found in namespace {ns}; add it to the input files (--resources)";
            return null;
        }

        if (!secret.Data.TryGetValue(dataKey, out var value) || value.Length == 0)
        {
            problem = $"Secret {ns}/{secretName} (sign.{field}) has no data key '{dataKey}' (it has: {(secret.Data.Count == 0 ? "none" : string.Join(", ", secret.Data.Keys.Order(StringComparer.Ordinal)))})";
            return null;
        }

        problem = null;
        return value;
    }
}
