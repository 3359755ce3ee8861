using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Stages.Image;

/// <content>The checks for one image, in the order a person would fix them.</content>
internal sealed partial class ImageStage
{
    private sealed partial class Inspection
    {
        private readonly ImageStage _stage;
        private readonly StageContext _context;
        private readonly IImageFiles _files;
        private readonly string _reference;
        private readonly string _kernelDirectory;
        private readonly string _kernel;
        private readonly string _moduleName;
        private readonly string _dirName;
        private readonly List<CheckResult> _checks = [];
        private FileSystemEntry? _module;
        private ModInfo? _modInfo;
        private ModuleSignatureInfo? _signature;
        private bool _signatureRead;

        public Inspection(ImageStage stage, StageContext context, IImageFiles files, string reference, string kernelDirectory)
        {
            _stage = stage;
            _context = context;
            _files = files;
            _reference = reference;
            _kernelDirectory = kernelDirectory;
            _kernel = context.Mapping.Kernel.Full;
            _moduleName = context.Mapping.Modprobe.ModuleName;
            _dirName = context.Mapping.Modprobe.DirName;
        }

        private ImageStageOptions Options => _stage.Options;

        private string ImageText => _files.Digest is null ? $"image {_reference}" : $"image {_reference} ({_files.Digest})";

        public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
        {
            var wanted = new HashSet<string>(StringComparer.Ordinal) { ModuleNames.Normalise(_moduleName) };
            if (Options.CheckModulesLoadingOrder)
            {
                wanted.UnionWith(_context.Mapping.Modprobe.ModulesLoadingOrder.Select(ModuleNames.Normalise));
            }

            var found = await _files.FindAsync(_kernelDirectory.TrimEnd('/'), e => e.Type is EntryType.File or EntryType.Symlink
                && ModuleNames.FromFileName(e.Path) is { } name && wanted.Contains(name), cancellationToken);
            var depends = await ReadModulesDepAsync(cancellationToken);
            if (!await FindModuleAsync(found, depends, cancellationToken))
            {
                return Result();
            }

            await CheckModuleFileAsync(cancellationToken);
            if (Options.CheckModulesDep)
            {
                CheckModulesDep(depends);
                if (_checks[^1] is { Outcome: CheckOutcome.Passed } last && last.Check == CheckName.ModulesDep)
                {
                    await CheckDependenciesAsync(depends!.Index.Find(_moduleName)!, cancellationToken);
                }
            }

            if (Options.CheckModulesLoadingOrder)
            {
                CheckLoadingOrder(found);
            }

            if (Options.CheckFirmwarePath && _context.Mapping.Modprobe.FirmwarePath is { Length: > 0 } firmware)
            {
                await CheckFirmwareAsync(firmware, cancellationToken);
            }

            return Result();
        }

        public StageResult Fail(string reason)
        {
            _checks.Add(new CheckResult(CheckName.Image, CheckOutcome.Failed, reason));
            return Result();
        }

        private async Task<bool> FindModuleAsync(IReadOnlyList<FileSystemEntry> found, DependsFile? depends, CancellationToken cancellationToken)
        {
            var name = ModuleNames.Normalise(_moduleName);
            var candidates = new List<FileSystemEntry>();
            foreach (var entry in found.Where(e => ModuleNames.FromFileName(e.Path) == name))
            {
                var resolved = entry.Type == EntryType.Symlink ? await _files.GetEntryAsync(entry.Path, true, cancellationToken) : entry;
                if (resolved is { Type: EntryType.File })
                {
                    candidates.Add(entry with { Layer = resolved.Layer, Size = resolved.Size });
                }
            }

            // modprobe loads the file modules.dep names; prefer it when several copies exist.
            var listed = depends?.Index.Find(_moduleName);
            var listedRelative = listed is null ? null : DependsRelative(listed.Path);
            _module = candidates.FirstOrDefault(c => listedRelative is not null && ImagePaths.RelativeToKernel(c.Path, _kernel) == listedRelative)
                ?? candidates.FirstOrDefault();
            if (_module is not null)
            {
                var others = candidates.Count > 1 ? $" ({candidates.Count} copies; using this one)" : string.Empty;
                _checks.Add(new CheckResult(CheckName.ModuleFile, CheckOutcome.Passed, $"module {_moduleName} found at {_module.Path}{others}", _module.Path, _module.Layer.ToString()));
                return true;
            }

            var directory = await _files.GetEntryAsync(_kernelDirectory, true, cancellationToken);
            var where = directory is null ? $"under {_kernelDirectory} (that directory does not exist)" : $"under {_kernelDirectory}";
            _checks.Add(new CheckResult(CheckName.ModuleFile, CheckOutcome.Failed,
                $"module {_moduleName}.ko (dirName {_dirName}) not found {where} in {ImageText}; build an image for this kernel or add a kernelMapping",
                _kernelDirectory));
            return false;
        }

        private async Task CheckModuleFileAsync(CancellationToken cancellationToken)
        {
            var path = _module!.Path;
            byte[] content;
            try
            {
                var stored = await _files.ReadAllBytesAsync(path, Options.MaxModuleBytes, cancellationToken);
                content = await ModuleCompression.DecompressAsync(stored, cancellationToken);
                _modInfo = ElfModInfoReader.Read(content);
            }
            catch (InvalidDataException ex)
            {
                _checks.Add(new CheckResult(CheckName.Vermagic, CheckOutcome.Failed,
                    $"module file {path} in {ImageText} is not a valid kernel module ({ex.Message.TrimEnd('.')}); rebuild it for kernel {_kernel}", path, _module.Layer.ToString()));
                return;
            }

            if (Options.CheckVermagic)
            {
                var vermagic = _modInfo.Vermagic;
                if (vermagic is null)
                {
                    _checks.Add(new CheckResult(CheckName.Vermagic, CheckOutcome.Failed,
                        $"module {path} in {ImageText} has no vermagic in .modinfo, so the kernel will refuse it; rebuild it with the kernel's build system for {_kernel}", path));
                }
                else if (!ModInfo.VermagicMatches(vermagic, _kernel))
                {
                    _checks.Add(new CheckResult(CheckName.Vermagic, CheckOutcome.Failed,
                        $"vermagic {ModInfo.VermagicRelease(vermagic)} of module {path} in {ImageText} does not match kernel {_kernel}; rebuild the module for {_kernel} or fix the kernelMapping", path));
                }
                else
                {
                    _checks.Add(new CheckResult(CheckName.Vermagic, CheckOutcome.Passed, $"vermagic '{vermagic.Trim()}' matches kernel {_kernel}", path));
                }
            }

            if (Options.ReportSignature)
            {
                try
                {
                    _signature = ModuleSignatureReader.Read(content);
                    _signatureRead = true;
                    _checks.Add(new CheckResult(CheckName.Signature, CheckOutcome.Information, _signature is null
                        ? "the module is not signed"
                        : $"signed ({_signature.IdType}) by '{_signature.Signer}', key {_signature.KeyId}, hash {_signature.HashAlgorithm}", path));
                }
                catch (InvalidDataException ex)
                {
                    _checks.Add(new CheckResult(CheckName.Signature, CheckOutcome.Information, $"the signature trailer is malformed: {ex.Message}", path));
                }
            }
        }

        private void CheckLoadingOrder(IReadOnlyList<FileSystemEntry> found)
        {
            var present = found.Select(e => ModuleNames.FromFileName(e.Path)).ToHashSet(StringComparer.Ordinal);
            var missing = _context.Mapping.Modprobe.ModulesLoadingOrder.Where(m => !present.Contains(ModuleNames.Normalise(m))).ToList();
            if (_context.Mapping.Modprobe.ModulesLoadingOrder.Count == 0)
            {
                return;
            }

            _checks.Add(missing.Count == 0
                ? new CheckResult(CheckName.ModulesLoadingOrder, CheckOutcome.Passed, $"all {_context.Mapping.Modprobe.ModulesLoadingOrder.Count} modules of modulesLoadingOrder are present under {_kernelDirectory}")
                : new CheckResult(CheckName.ModulesLoadingOrder, CheckOutcome.Failed,
                    $"module{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(", ", missing)} of modulesLoadingOrder not found under {_kernelDirectory} in {ImageText}; add {(missing.Count > 1 ? "them" : "it")} to the image or fix modulesLoadingOrder",
                    _kernelDirectory));
        }

        private async Task CheckFirmwareAsync(string firmware, CancellationToken cancellationToken)
        {
            var path = ImagePaths.Join("/", firmware);
            var entry = await _files.GetEntryAsync(path, true, cancellationToken);
            _checks.Add(entry is null
                ? new CheckResult(CheckName.FirmwarePath, CheckOutcome.Failed, $"firmwarePath {firmware} does not exist in {ImageText}; add the firmware files to the image or fix firmwarePath", path)
                : new CheckResult(CheckName.FirmwarePath, CheckOutcome.Passed, $"firmwarePath {firmware} exists ({entry.Type})", path, entry.Layer.ToString()));
        }

        private StageResult Result()
        {
            var failed = _checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Failed);
            var inspection = new ImageInspection
            {
                Reference = _reference,
                Digest = _files.Digest,
                KernelDirectory = _kernelDirectory,
                ModulePath = _module?.Path,
                ModuleLayer = _module?.Layer.ToString(),
                ModInfo = _modInfo,
                Signature = _signature,
                CompressedBytesRead = _files.CompressedBytesRead,
                LayerReads = _files.LayerReads,
            };
            if (failed is not null)
            {
                return StageResult.Fail(VerificationStage.Image, failed.Detail, _checks) with { Image = inspection };
            }

            var signed = _signature is not null ? $"; signed by '{_signature.Signer}' ({_signature.HashAlgorithm})" : _signatureRead ? "; not signed" : string.Empty;
            var depText = Options.CheckModulesDep ? ", listed in modules.dep" : string.Empty;
            var vermagicText = Options.CheckVermagic ? $", vermagic matches kernel {_kernel}" : string.Empty;
            var reason = $"module {_moduleName} found at {_module!.Path} in {ImageText}{vermagicText}{depText}{signed}; nothing to do";
            return StageResult.Pass(VerificationStage.Image, reason, _checks) with { Image = inspection };
        }
    }
}
