using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Writing;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>
/// The Sign stage, as KMM's signing job does it: take the built image (else <c>unsignedImage</c>), sign each file of
/// <c>filesToSign</c> with the Module's key and certificate (the kernel's <c>sign-file</c>, byte for byte), and add
/// the signed files to the image as one layer. Unlike KMM, the result must pass the Image checks and every signature
/// must verify against the certificate before it is pushed, and it is pushed only with <c>pushBuiltImage</c>.
/// </summary>
internal sealed class SignStage : IModuleValidationStage
{
    private readonly ModuleSigningOptions _signing;

    public SignStage(SignStageOptions options)
    {
        Options = options;
        _signing = new ModuleSigningOptions { HashAlgorithm = options.HashAlgorithm };
    }

    public SignStageOptions Options { get; }

    public VerificationStage Stage => VerificationStage.Sign;

    public async Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mapping = context.Mapping;
        var sign = mapping.Sign ?? throw new ArgumentException($"{mapping.Module.Id} has no sign section for {mapping.Describe()}", nameof(context));
        var target = mapping.ContainerImage;

        using var key = SigningSecrets.Load(context, out var keyProblem);
        if (key is null)
        {
            return Fail(keyProblem!, CheckName.SigningKey);
        }

        var inputName = context.InputImage;
        if (context.Input is null && string.IsNullOrEmpty(inputName))
        {
            return Fail($"{mapping.Module.Id} has sign but no sign.unsignedImage and no build for {mapping.Describe()}; set unsignedImage to the image whose modules are to be signed", CheckName.InputImage);
        }

        inputName ??= context.Input!.Name;
        IImageFiles inputFiles;
        ResolvedImage input;
        try
        {
            var request = context.RequestFor(inputName, sign.UnsignedImageRegistryTls) with { Image = context.Input };
            input = context.Input ?? await (context.Resolver ?? throw new InvalidOperationException("this run has no image resolver: the Sign stage needs one")).ResolveAsync(request, cancellationToken);
            inputFiles = await context.Images.OpenAsync(request with { Image = input }, cancellationToken);
        }
        catch (ImageAccessException ex)
        {
            return Fail($"the image to sign, {inputName}, could not be opened ({ex.Message.TrimEnd('.')}); "
                + (context.Input is null ? "check sign.unsignedImage and unsignedImageRegistryTLS" : "the built image could not be read"), CheckName.InputImage);
        }

        var (files, filesProblem) = await FilesToSign.FindAsync(sign.FilesToSign, inputFiles, Options.MaxFiles, cancellationToken);
        if (filesProblem is not null)
        {
            return Fail(filesProblem, CheckName.FilesToSign);
        }

        var checks = new List<CheckResult>();
        WrittenLayer layer;
        var signed = new List<(string Path, byte[] Bytes)>();
        await using (var writer = LayerWriter.CreateTemporaryFile())
        {
            foreach (var file in files)
            {
                byte[] bytes;
                try
                {
                    bytes = await inputFiles.ReadAllBytesAsync(file.Path, Options.MaxFileBytes, cancellationToken);
                    bytes = await ModuleSigner.SignAsync(bytes, key, _signing, cancellationToken);
                }
                catch (InvalidDataException ex)
                {
                    return Fail($"{file.Path} in image {inputName} could not be signed ({ex.Message.TrimEnd('.')})", CheckName.SignFile, checks, file.Path);
                }

                await writer.AddFileAsync(file.Path.TrimStart('/'), bytes, null, cancellationToken);
                signed.Add((file.Path, bytes));
                checks.Add(new CheckResult(CheckName.SignFile, CheckOutcome.Passed, $"signed {file.Path} ({file.Size:N0} bytes) with '{key.Signer}' ({_signing.HashAlgorithm.ToString().ToLowerInvariant()})", file.Path, file.Layer.ToString()));
            }

            layer = await writer.CompleteAsync(cancellationToken);
        }

        using (layer)
        {
            var image = await ImageAppender.AppendAsync(input, [layer], $"kmm-preflight sign-file {_signing.HashAlgorithm.ToString().ToLowerInvariant()} ({files.Count} file(s): {string.Join(' ', files.Select(f => f.Path))})", new ImageAppendOptions { Name = target }, cancellationToken);
            return await VerifyAndPublishAsync(context, image, inputName, key, signed, checks, cancellationToken);
        }
    }

    private async Task<StageResult> VerifyAndPublishAsync(
        StageContext context, ResolvedImage image, string inputName, ModuleSigningKey key, List<(string Path, byte[] Bytes)> signed, List<CheckResult> checks, CancellationToken cancellationToken)
    {
        var mapping = context.Mapping;
        var target = mapping.ContainerImage;
        var fileList = signed.Count == 1 ? signed[0].Path : $"{signed.Count} files";

        // What the node will load is what the signed image holds: read each file back through the merged view and
        // verify it, so a later layer hiding a signed file, or a wrong path, cannot pass.
        var signedFiles = await context.Images.OpenAsync(context.RequestFor(target, mapping.RegistryTls) with { Image = image }, cancellationToken);
        foreach (var (path, _) in signed)
        {
            var readBack = await signedFiles.ReadAllBytesAsync(path, Options.MaxFileBytes, cancellationToken);
            var verification = await ModuleSignatureVerifier.VerifyAsync(readBack, key.Certificate, cancellationToken);
            if (!verification.IsValid)
            {
                return Fail($"the signature of {path} in the signed image does not verify against the certificate of Secret {mapping.Sign!.CertSecret} ({verification.Message.TrimEnd('.')})", CheckName.Signature, checks, path);
            }
        }

        checks.Add(new CheckResult(CheckName.Signature, CheckOutcome.Passed, $"every signed file verifies against the certificate (signer '{key.Signer}', {key.KeyType})"));

        var imageChecks = context.ImageChecks;
        if (imageChecks is not null)
        {
            var result = await imageChecks.ValidateAsync(context with { InputImage = target, Input = image, Previous = [] }, cancellationToken);
            checks.AddRange(result.Checks);
            if (!result.Verified)
            {
                return Fail($"the image signed from {inputName} would not load the module, so nothing was pushed: {result.Reason}", CheckName.ImageChecks, checks);
            }
        }

        string? saved = null;
        string? pushed = null;
        try
        {
            if (context.Publisher is { } publisher)
            {
                saved = await publisher.SaveAsync(image, target, cancellationToken);
                if (context.PushBuiltImage)
                {
                    var published = await publisher.PushAsync(image, context.RequestFor(target, mapping.RegistryTls), cancellationToken);
                    pushed = published.ToString();
                    checks.Add(new CheckResult(CheckName.Push, CheckOutcome.Passed, $"pushed to {pushed}: {published.BlobsUploaded} blob(s) uploaded ({published.BytesUploaded:N0} bytes), {published.BlobsReused} reused"));
                }
            }
            else if (context.PushBuiltImage)
            {
                return Fail($"pushBuiltImage is set but this run cannot push images; the signed image of {target} was verified and not pushed", CheckName.Push, checks);
            }
        }
        catch (ImageAccessException ex)
        {
            return Fail($"signing {fileList} passed, but pushing the signed image to {target} failed ({ex.Message.TrimEnd('.')}); check the credentials for that registry", CheckName.Push, checks);
        }
        catch (IOException ex)
        {
            return Fail($"signing {fileList} passed, but saving the signed image failed ({ex.Message.TrimEnd('.')})", CheckName.Save, checks);
        }

        context.Logger?.LogInformation("signed {Files} of {Input} for {Module}; pushed: {Pushed}", fileList, inputName, mapping.Module.Id, pushed ?? "no");
        var reason = $"signed {fileList} of image {inputName} with '{key.Signer}' ({_signing.HashAlgorithm.ToString().ToLowerInvariant()}); every signature verifies against the certificate and the signed image passes the Image checks; "
            + (pushed is not null ? $"pushed to {pushed}" : context.PushBuiltImage ? "not pushed" : $"not pushed (pushBuiltImage is false): push it to {target} before the upgrade")
            + (saved is not null ? $"; saved as {saved}" : string.Empty);
        return StageResult.Pass(VerificationStage.Sign, reason, checks) with { ProducedImage = image, PushedImage = pushed, SavedImage = saved };
    }

    private static StageResult Fail(string reason, CheckName check, List<CheckResult>? checks = null, string? path = null)
        => StageResult.Fail(VerificationStage.Sign, reason, [.. checks ?? [], new CheckResult(check, CheckOutcome.Failed, reason, path)]);
}
