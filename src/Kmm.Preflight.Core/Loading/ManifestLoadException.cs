using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// A manifest could not be read: the message names the file, the object (kind namespace/name) and the field path,
/// e.g. <c>modules.yaml: Module default/foo: spec.moduleLoader.container.kernelMappings[1]: must have exactly one of literal or regexp</c>.
/// </summary>
public sealed class ManifestLoadException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ManifestLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ManifestLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ManifestLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem at <paramref name="fieldPath"/> of <paramref name="objectId"/> in <paramref name="file"/>.</summary>
    public ManifestLoadException(string file, ObjectId? objectId, string? fieldPath, string problem, Exception? innerException = null)
        : base(Format(file, objectId, fieldPath, problem), innerException)
    {
        File = file;
        ObjectId = objectId;
        FieldPath = fieldPath;
        Problem = problem;
    }

    /// <summary>The file (or source name) that holds the problem.</summary>
    public string? File { get; }

    /// <summary>The object, when the problem is inside one.</summary>
    public ObjectId? ObjectId { get; }

    /// <summary>The field path inside the object, e.g. <c>spec.moduleLoader.container.kernelMappings[1]</c>.</summary>
    public string? FieldPath { get; }

    /// <summary>The problem alone, without location.</summary>
    public string? Problem { get; }

    private static string Format(string file, ObjectId? objectId, string? fieldPath, string problem)
    {
        var text = file;
        if (objectId is not null)
        {
            text += ": " + objectId;
        }

        if (!string.IsNullOrEmpty(fieldPath))
        {
            text += ": " + fieldPath;
        }

        return text + ": " + problem;
    }
}
