using System.CommandLine;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Runner.Output;

namespace Kmm.Preflight.Runner.Commands.Ls;

/// <summary><c>kmm-preflight ls IMAGE [PATH]</c>: entries of the image's final filesystem, without pulling it.</summary>
internal static class LsCommand
{
    /// <summary>Creates the command; <paramref name="run"/> replaces the real run (parser tests look at the request).</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console, Func<LsRequest, RunnerConsole, CancellationToken, Task<int>>? run = null)
    {
        run ??= RunAsync;
        var image = ImageArgument.Create();
        var path = new Argument<string>("PATH") { Description = "Path in the image's merged filesystem.", DefaultValueFactory = _ => "/" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List everything below PATH (symlinked directories are listed, not entered)." };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show type, size and link target." };
        var access = new ImageAccessOptionSet(verbose);
        var command = new Command("ls", "List entries of an image's final (merged) filesystem, one absolute path per line.")
        {
            image, path, recursive, longFormat,
        };
        access.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new LsRequest(
                parseResult.GetRequiredValue(image),
                parseResult.GetValue(path) ?? "/",
                parseResult.GetValue(recursive),
                parseResult.GetValue(longFormat),
                access.Bind(parseResult));
            return CommandGuard.RunAsync(console, request.Access.Verbose, ct => run(request, console, ct), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs <paramref name="request"/>.</summary>
    public static async Task<int> RunAsync(LsRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var session = new ImageSession(request.Access, console);
        var found = await session.FindEntryAsync(request.Image, request.Path, cancellationToken);
        if (found is null)
        {
            return ExitCodes.Failure;
        }

        var (_, fileSystem, entry) = found;

        IReadOnlyList<FileSystemEntry> entries = entry.Type == EntryType.Directory
            ? await fileSystem.ListAsync(entry.Path, request.Recursive, cancellationToken)
            : [entry];
        entries = RequestedPath.Reroot(entries, entry.Path, RequestedPath.Normalise(request.Path));
        await EntryListWriter.WriteAsync(entries, request.Long, console.Out, cancellationToken);
        return ExitCodes.Success;
    }
}
