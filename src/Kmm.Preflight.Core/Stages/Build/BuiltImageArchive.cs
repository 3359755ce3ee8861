using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Sources;
using Microsoft.Win32.SafeHandles;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// The built image's <c>docker save</c> archive on disk, read in place by <see cref="DockerArchiveImageSource"/>. It is
/// removed when the stage ends, unless the image is handed on (to Sign), which reads its layers later: then, on Linux,
/// the file is unlinked at once and read through <c>/proc/self/fd/N</c> of a handle that lives as long as the image,
/// so nothing is left on disk even when the process is killed; elsewhere it is deleted when the process exits.
/// </summary>
internal sealed class BuiltImageArchive : IDisposable
{
    private static readonly ConditionalWeakTable<ResolvedImage, SafeFileHandle> Handles = [];

    private readonly string _directory;
    private SafeFileHandle? _handle;
    private bool _outlivesStage;
    private bool _handedOn;

    public BuiltImageArchive(string? workDirectory)
    {
        _directory = Directory.CreateDirectory(Path.Combine(
            workDirectory ?? Path.GetTempPath(), "kmm-preflight-build-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)))).FullName;
        FilePath = Path.Combine(_directory, "image.tar");
    }

    /// <summary>Where the archive is written.</summary>
    public string FilePath { get; }

    /// <summary>Where to read the written archive from; <paramref name="outlivesStage"/> when a later stage reads it too.</summary>
    public string ReadPath(bool outlivesStage)
    {
        _outlivesStage = outlivesStage;
        if (!outlivesStage || !OperatingSystem.IsLinux())
        {
            return FilePath;
        }

        _handle = File.OpenHandle(FilePath);
        TemporaryFiles.Delete(_directory);
        return $"/proc/self/fd/{_handle.DangerousGetHandle()}";
    }

    /// <summary>Ties the archive's lifetime to <paramref name="image"/>, read from <see cref="ReadPath"/>.</summary>
    public ResolvedImage HandOn(ResolvedImage image)
    {
        if (_handle is not null)
        {
            Handles.Add(image, _handle);
            _handle = null;
        }
        else if (_outlivesStage)
        {
            TemporaryFiles.DeleteAtExit(_directory);
        }

        _handedOn = true;
        return image;
    }

    public void Dispose()
    {
        _handle?.Dispose();
        if (!_handedOn)
        {
            TemporaryFiles.Delete(_directory);
        }
    }
}
