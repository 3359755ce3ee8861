using System.CommandLine;
using System.Text.Json;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Running;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Commands.Kernel;

/// <summary>
/// <c>kmm-preflight kernel RELEASE_IMAGE [--rt] [--output text|json]</c>: the kernel an OpenShift release runs, read
/// as a PreflightValidationOCP reads it (release payload → driver-toolkit image → its release file).
/// </summary>
internal static class KernelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console)
    {
        var release = new Argument<string>("RELEASE_IMAGE") { Description = "The OpenShift release image, e.g. quay.io/openshift-release-dev/ocp-release:4.14.0-x86_64." };
        var rt = new Option<bool>("--rt") { Description = "Print the real-time kernel (useRTKernel; x86_64 releases only)." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "text (the kernel version alone, default) or json ({kernelVersion, rtKernelVersion, rhelVersion, driverToolkitImage}).",
            HelpName = "text|json",
            DefaultValueFactory = _ => "text",
        }.AcceptOnlyFromAmong("text", "json");
        var access = new ImageAccessOptionSet(verbose);
        var command = new Command("kernel", "Print the kernel of an OpenShift release image (what PreflightValidationOCP validates against).") { release, rt, output };
        access.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new KernelRequest(parseResult.GetRequiredValue(release), parseResult.GetValue(rt), parseResult.GetValue(output) == "json", access.Bind(parseResult));
            return CommandGuard.RunAsync(console, request.Access.Verbose, ct => RunAsync(request, console, ct), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs <paramref name="request"/>: 0 with the kernel printed, 1 when the release has no such kernel or an image cannot be read.</summary>
    public static async Task<int> RunAsync(KernelRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        var release = await ReadAsync(request.ReleaseImage, request.Access, console, cancellationToken);
        if (request.Json)
        {
            await using var stream = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("releaseImage", release.ReleaseImage);
                writer.WriteString("kernelVersion", release.KernelVersion);
                WriteNullable(writer, "rtKernelVersion", release.RtKernelVersion);
                WriteNullable(writer, "rhelVersion", release.RhelVersion);
                writer.WriteString("driverToolkitImage", release.DriverToolkitImage);
                writer.WriteEndObject();
            }

            await console.Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            return ExitCodes.Success;
        }

        var kernel = request.RealTime
            ? release.RtKernelVersion ?? throw new InvalidDataException($"{KernelTargetResolver.DriverToolkitReleasePath} in driver-toolkit image {release.DriverToolkitImage} has no RT_KERNEL_VERSION (the real-time kernel exists only on x86_64)")
            : release.KernelVersion;
        await console.Out.WriteLineAsync(kernel);
        return ExitCodes.Success;
    }

    /// <summary>Reads what <paramref name="releaseImage"/> says about its kernel, with the command's image options.</summary>
    /// <exception cref="InvalidDataException">The release or driver-toolkit image lacks a file or field.</exception>
    /// <exception cref="ImageAccessException">An image could not be opened.</exception>
    public static async Task<DriverToolkitRelease> ReadAsync(string releaseImage, ImageAccessOptions access, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var loggerFactory = Output.RunnerLogging.CreateFactory(console.Error, access.Verbose);
        var cache = ImageSession.CreateCache(access, loggerFactory);
        using var opener = new ImageOpener(ImageSession.CreateClientOptions(access, cache), new ImageOpenerOptions { Cache = cache, Logger = loggerFactory.CreateLogger<ImageOpener>() });
        var resolver = new KernelTargetResolver(opener, access.Platform);
        return await resolver.ReadReleaseAsync(releaseImage, cancellationToken);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
