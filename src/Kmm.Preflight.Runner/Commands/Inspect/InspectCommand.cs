using System.CommandLine;
using Kmm.Preflight.Runner.Output;

namespace Kmm.Preflight.Runner.Commands.Inspect;

/// <summary><c>kmm-preflight inspect IMAGE</c>: the image's manifest, layers and labels as JSON.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console)
    {
        var image = ImageArgument.Create();
        var access = new ImageAccessOptionSet(verbose);
        var command = new Command("inspect", "Print an image's manifest digest, platform, layers and labels as JSON.") { image };
        access.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new InspectRequest(parseResult.GetRequiredValue(image), access.Bind(parseResult));
            return CommandGuard.RunAsync(console, request.Access.Verbose, ct => RunAsync(request, console, ct), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs <paramref name="request"/>.</summary>
    public static async Task<int> RunAsync(InspectRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var session = new ImageSession(request.Access, console, readsLayers: false);
        var resolved = await session.ResolveAsync(request.Image, cancellationToken);
        await InspectJsonWriter.WriteAsync(resolved, console.Out, cancellationToken);
        return ExitCodes.Success;
    }
}
