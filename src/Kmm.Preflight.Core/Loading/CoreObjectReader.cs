using System.Text;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Loading;

/// <summary>Maps core/v1 <c>Secret</c> and <c>ConfigMap</c> objects.</summary>
internal static class CoreObjectReader
{
    public static Secret ReadSecret(NodeReader root, string name, string @namespace)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in root.StringMap("data"))
        {
            try
            {
                data[key] = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                throw root.Error($"data.{key}", "is not valid base64 (use stringData for plain text)");
            }
        }

        foreach (var (key, value) in root.StringMap("stringData"))
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        var type = root.String("type");
        return new Secret { Name = name, Namespace = @namespace, Type = string.IsNullOrEmpty(type) ? "Opaque" : type, Data = data };
    }

    public static ConfigMap ReadConfigMap(NodeReader root, string name, string @namespace)
        => new() { Name = name, Namespace = @namespace, Data = root.StringMap("data").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) };
}
