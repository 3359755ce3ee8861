using System.Security.Cryptography;
using Kmm.Preflight.Core.Engine;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Oci.Sources;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Build;

/// <content>Reading the built image back, checking it, pushing it.</content>
internal sealed partial class BuildRun
{
    private const string NothingToDo = "; nothing to do";

    private async Task<StageResult> VerifyAndPushAsync(string tag, EngineVersion version, CancellationToken cancellationToken)
    {
        var mapping = _context.Mapping;
        using var archive = new BuiltImageArchive(_stage.Options.WorkDirectory);

        // The engine's docker-save stream, read with the library's docker-archive source: the same image the engine
        // holds, checked before anything leaves the machine.
        try
        {
            await using var file = File.Create(archive.FilePath);
            await _engine.SaveImageAsync(tag, file, cancellationToken);
        }
        finally
        {
            await RemoveBuiltImageAsync(tag);
        }

        // With sign, the Sign stage reads this image after this stage returns.
        var handOn = mapping.Sign is not null;
        var name = $"{mapping.ContainerImage} (built)";
        var built = await new DockerArchiveImageSource(archive.ReadPath(handOn)).ResolveAsync(_context.Platform, cancellationToken) with { Name = name };
        var checks = await _context.ImageChecks!.ValidateAsync(_context with { InputImage = name, Input = built }, cancellationToken);
        if (!checks.Verified)
        {
            var reason = $"the image built for kernel {mapping.Kernel} from ConfigMap {_inputs.ConfigMap} ({version}) does not hold a loadable module: {checks.Reason.TrimEnd('.')}; fix the Dockerfile; nothing was pushed";
            return Fail(reason, "image-checks") with { Image = checks.Image };
        }

        _checks.Add(new CheckResult("image-checks", CheckOutcome.Passed, checks.Reason));
        var (pushed, pushFailure) = await PushAsync(built, cancellationToken);
        if (pushFailure is not null)
        {
            return Fail(pushFailure, "push") with { Image = checks.Image };
        }

        // With sign, the signed image is what is saved under this name; the built one is only its input.
        var saved = _context.Publisher is null || handOn ? null : await _context.Publisher.SaveAsync(built, mapping.ContainerImage, cancellationToken);
        var outcome = pushed is not null ? $"pushed to {pushed}"
            : handOn ? "handed to the Sign stage"
            : "not pushed (pushBuiltImage is false)";
        // The Image stage's "; nothing to do" speaks of an image found in place, not of one just built.
        var found = checks.Reason.TrimEnd('.');
        found = found.EndsWith(NothingToDo, StringComparison.Ordinal) ? found[..^NothingToDo.Length] : found;
        var reasonText = $"built for kernel {mapping.Kernel} from ConfigMap {_inputs.ConfigMap} with {version} in {_clock.Elapsed.TotalSeconds:0.0} s and verified: {found}; {outcome}"
            + (saved is null ? string.Empty : $"; saved as {saved}");
        return StageResult.Pass(Status.VerificationStage.Build, reasonText, [.. _checks]) with
        {
            Image = checks.Image,
            // Only a handed-on image stays readable: otherwise its archive goes when this stage ends.
            ProducedImage = handOn ? archive.HandOn(built) : null,
            PushedImage = pushed,
        };
    }

    private async Task<(string? Pushed, string? Failure)> PushAsync(ResolvedImage built, CancellationToken cancellationToken)
    {
        var mapping = _context.Mapping;
        if (!_context.PushBuiltImage)
        {
            _checks.Add(new CheckResult("push", CheckOutcome.Skipped, "pushBuiltImage is false"));
            return (null, null);
        }

        if (mapping.Sign is not null)
        {
            // Sign pushes the signed image to the same containerImage; pushing the unsigned one first would let
            // nodes pull an image whose module the kernel may refuse, until Sign replaces it.
            _checks.Add(new CheckResult("push", CheckOutcome.Skipped, $"handed to the Sign stage, which pushes the signed image to {mapping.ContainerImage}"));
            return (null, null);
        }

        if (_context.Publisher is null)
        {
            return (null, $"the image built for {mapping.Module.Id} passes the Image checks, but this run cannot push (no image publisher), so {mapping.ContainerImage} was not pushed although pushBuiltImage is set");
        }

        try
        {
            var published = await _context.Publisher.PushAsync(built, _context.RequestFor(mapping.ContainerImage, mapping.RegistryTls), cancellationToken);
            _checks.Add(new CheckResult("push", CheckOutcome.Passed, $"pushed {published} ({published.BlobsUploaded} blobs, {published.BytesUploaded} bytes uploaded; {published.BlobsReused} reused)"));
            return (published.ToString(), null);
        }
        catch (ImageAccessException ex)
        {
            return (null, $"the image built for {mapping.Module.Id} passes the Image checks, but pushing it to {mapping.ContainerImage} failed: {ex.Message.TrimEnd('.')}; check imageRepoSecret and the registry's permissions");
        }
    }

    private async Task RemoveBuiltImageAsync(string tag)
    {
        try
        {
            // Not cancellable: a cancelled run should still leave the engine as it found it.
            await _engine.RemoveImageAsync(tag, CancellationToken.None);
        }
        catch (EngineException ex)
        {
            _context.Logger?.LogWarning("could not remove the built image {Tag} from the engine: {Message}", tag, ex.Message);
        }
    }
}
