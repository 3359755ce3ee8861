using System.CommandLine;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Runner.Commands.Cat;

/// <summary><c>kmm-preflight cat IMAGE PATH</c>: a file's bytes from the image's final filesystem, raw on stdout.</summary>
internal static class CatCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console)
    {
        var image = ImageArgument.Create();
        var path = new Argument<string>("PATH") { Description = "File in the image's merged filesystem (symlinks followed)." };
        var access = new ImageAccessOptionSet(verbose);
        var command = new Command("cat", "Write a file of an image's final filesystem to stdout, byte for byte.") { image, path };
        access.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new CatRequest(parseResult.GetRequiredValue(image), parseResult.GetRequiredValue(path), access.Bind(parseResult));
            return CommandGuard.RunAsync(console, request.Access.Verbose, ct => RunAsync(request, console, ct), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs <paramref name="request"/>.</summary>
    public static async Task<int> RunAsync(CatRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var session = new ImageSession(request.Access, console);
        var found = await session.FindEntryAsync(request.Image, request.Path, cancellationToken);
        if (found is null)
        {
            return ExitCodes.Failure;
        }

        var (resolved, fileSystem, entry) = found;

        if (entry.Type != EntryType.File)
        {
            var what = entry.Type == EntryType.Directory ? "is a directory" : $"is not a regular file ({entry.Type})";
            await console.Error.WriteLineAsync($"kmm-preflight: {request.Path} {what} in {resolved.Name}");
            return ExitCodes.Failure;
        }

        // Streamed: a file of any size is written in bounded chunks, never held whole in memory.
        await console.Out.FlushAsync(cancellationToken);
        await fileSystem.CopyFileToAsync(entry.Path, console.OutputStream, cancellationToken);
        await console.OutputStream.FlushAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
