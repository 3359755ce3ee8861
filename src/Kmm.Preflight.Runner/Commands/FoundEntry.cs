using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>A path found in an image's merged filesystem (symlinks followed), with the filesystem to read more from.</summary>
/// <param name="Image">The resolved image.</param>
/// <param name="FileSystem">Its merged filesystem.</param>
/// <param name="Entry">The entry the path names.</param>
internal sealed record FoundEntry(ResolvedImage Image, ImageFileSystem FileSystem, FileSystemEntry Entry);
