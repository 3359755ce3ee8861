// Lists an image's files, all layers merged, without pulling it: `dotnet run -- IMAGE [PATH]`, where IMAGE is
// HOST/REPO:TAG, oci:DIR[:TAG] or docker-archive:FILE[:REF]. Uses only Kmm.Preflight.Oci.
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Sources;

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: ListImageFiles IMAGE [PATH]");
    return 2;
}

using var registry = new RegistryClient(new RegistryClientOptions { Credentials = AuthFileDiscovery.CreateProvider() });
var image = await new ImageSourceFactory(registry).Open(args[0]).ResolveAsync(Platform.Default);
var files = new ImageFileSystem(image);
foreach (var entry in await files.ListAsync(args.Length > 1 ? args[1] : "/", recursive: true))
{
    var link = entry.LinkTarget is null ? "" : $" -> {entry.LinkTarget}";
    Console.WriteLine($"{entry.Type,-10} {entry.Size,12} {entry.Path}{link}");
}

return 0;
