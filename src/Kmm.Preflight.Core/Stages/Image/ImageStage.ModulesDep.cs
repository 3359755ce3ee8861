using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Stages.Image;

/// <content>modules.dep: modprobe finds modules only through it.</content>
internal sealed partial class ImageStage
{
    /// <content>Reading and checking modules.dep / modules.dep.bin.</content>
    private sealed partial class Inspection
    {
        private void CheckModulesDep(DependsFile? depends)
        {
            var depmod = $"run depmod -b {_dirName} {_kernel} in the image build";
            if (depends is null)
            {
                _checks.Add(new CheckResult(CheckName.ModulesDep, CheckOutcome.Failed,
                    $"modules.dep missing in {_kernelDirectory} of {ImageText}, so modprobe cannot find module {_moduleName}: {depmod}", _kernelDirectory + "modules.dep"));
                return;
            }

            if (depends.Error is not null)
            {
                _checks.Add(new CheckResult(CheckName.ModulesDep, CheckOutcome.Failed,
                    $"{depends.Path} in {ImageText} is unreadable ({depends.Error.TrimEnd('.')}): {depmod}", depends.Path, depends.Layer));
                return;
            }

            var listed = depends.Index.Find(_moduleName);
            if (listed is null)
            {
                _checks.Add(new CheckResult(CheckName.ModulesDep, CheckOutcome.Failed,
                    $"{depends.Path} in {ImageText} does not list module {_moduleName}, so modprobe cannot find it: {depmod} after installing the module", depends.Path, depends.Layer));
                return;
            }

            var relative = DependsRelative(listed.Path);
            if (relative != ImagePaths.RelativeToKernel(_module!.Path, _kernel))
            {
                _checks.Add(new CheckResult(CheckName.ModulesDep, CheckOutcome.Failed,
                    $"{depends.Path} in {ImageText} lists module {_moduleName} as {listed.Path}, which is not in the image: {depmod}", depends.Path, depends.Layer));
                return;
            }

            _checks.Add(new CheckResult(CheckName.ModulesDep, CheckOutcome.Passed, $"{depends.Path} lists {_moduleName} as {listed.Path}", depends.Path, depends.Layer));
        }

        private async Task<DependsFile?> ReadModulesDepAsync(CancellationToken cancellationToken)
        {
            // modprobe prefers the binary index; either one is enough.
            foreach (var name in new[] { "modules.dep.bin", "modules.dep" })
            {
                var path = _kernelDirectory + name;
                var entry = await _files.GetEntryAsync(path, true, cancellationToken);
                if (entry is not { Type: EntryType.File })
                {
                    continue;
                }

                try
                {
                    var bytes = await _files.ReadAllBytesAsync(path, Options.MaxModulesDepBytes, cancellationToken);
                    return new DependsFile(path, entry.Layer.ToString(), ModulesDep.Parse(bytes), null);
                }
                catch (InvalidDataException) when (name == "modules.dep.bin")
                {
                    // Fall back to the text file, as modprobe does.
                }
                catch (InvalidDataException ex)
                {
                    return new DependsFile(path, entry.Layer.ToString(), ModulesDep.ParseText(string.Empty), ex.Message);
                }
            }

            return null;
        }

        private string DependsRelative(string listedPath)
            => listedPath.StartsWith('/') ? ImagePaths.RelativeToKernel(listedPath, _kernel) ?? listedPath : listedPath;

        private sealed record DependsFile(string Path, string Layer, ModulesDep Index, string? Error);
    }
}
